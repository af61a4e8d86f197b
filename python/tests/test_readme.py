"""The README's Python walkthrough, run as a reader runs it: each ```python block is a test file
of its own, run by pytest with this package's plugin, and every test in it must pass."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks():
    text = README.read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def test_the_readme_has_a_python_walkthrough():
    assert python_blocks(), "README.md lost its ```python block"


def test_every_python_block_of_the_readme_passes_as_a_test_file(pytester):
    for number, block in enumerate(python_blocks(), start=1):
        pytester.makepyfile(**{f"test_readme_block_{number}": block})
    result = pytester.runpytest_subprocess("-q", timeout=120)
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 1 and not outcomes.get("failed"), result.stdout.str()
    assert not outcomes.get("error"), result.stdout.str()
