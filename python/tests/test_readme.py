"""The README's and docs/python.md's Python walkthroughs, run as a reader runs them: each
```python block is a test file of its own, run by pytest with this package's plugin, and every
test in them must pass. A block whose first line is `# pytest.ini` (an ```ini block) or
`# conftest.py` starts a directory of its own, holding that file and the blocks after it in
the same document, up to the next such block; each directory is a pytest run of its own, so
the settings and fixtures of one apply to its blocks alone."""

import os
import re
import stat
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", ROOT / "docs" / "python.md"]
GUIDE = ROOT / "docs" / "python.md"


def blocks(document, languages=("python", "ini")):
    """(language, text) of each block of `document` in one of `languages`, in order."""
    text = document.read_text(encoding="utf-8")
    pattern = r"^```(" + "|".join(languages) + r")\n(.*?)^```"
    return re.findall(pattern, text, flags=re.S | re.M)


def layout():
    """{directory: [(file name, text)]} for every block of every document, in order."""
    directories = {}
    for document in DOCUMENTS:
        stem = document.stem.lower()
        group = 0
        for number, (language, block) in enumerate(blocks(document), start=1):
            first = block.split("\n", 1)[0]
            if first.startswith(("# pytest.ini", "# conftest.py")):
                group += 1
                name = "pytest.ini" if first.startswith("# pytest.ini") else "conftest.py"
            elif language == "python":
                name = f"test_{stem}_block_{number}.py"
            else:
                raise AssertionError(f"{document.name}: an ```ini block must start with `# pytest.ini`")
            directories.setdefault(f"{stem}_{group}", []).append((name, block))
    return directories


def test_the_readme_and_the_python_guide_have_python_walkthroughs():
    for document in DOCUMENTS:
        assert blocks(document, ("python",)), f"{document.name} lost its ```python blocks"
    names = {name for files in layout().values() for name, _ in files}
    assert {"pytest.ini", "conftest.py"} <= names, (
        "docs/python.md lost the blocks that configure the plugin's server"
    )


def test_every_python_block_passes_as_a_test_file(pytester):
    for directory, files in layout().items():
        folder = pytester.mkpydir(directory)
        for name, text in files:
            (folder / name).write_text(text, encoding="utf-8")
        expected = sum(len(re.findall(r"^def test_", text, flags=re.M)) for _, text in files)
        # The directory as the argument: its pytest.ini, if any, is the run's configuration.
        result = pytester.runpytest_subprocess(str(folder), "-q", "-p", "no:cacheprovider", timeout=300)
        outcomes = result.parseoutcomes()
        assert outcomes.get("passed", 0) == expected, f"{directory}:\n{result.stdout.str()}"
        assert not outcomes.get("failed") and not outcomes.get("error"), result.stdout.str()


def test_the_guides_binary_setting_runs_that_binary(pytester, tmp_path):
    """`recotap_mock_binary` in the pytest configuration, as docs/python.md documents it: the
    server fixture runs the binary it names (a wrapper here, which leaves a mark and runs the
    real one)."""
    assert "`recotap_mock_binary`" in GUIDE.read_text(encoding="utf-8")
    from recotap_mock import find_binary

    mark = tmp_path / "ran"
    wrapper = tmp_path / "my-recotap-mock"
    wrapper.write_text(f'#!/bin/sh\ntouch "{mark}"\nexec "{find_binary()}" "$@"\n', encoding="utf-8")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    pytester.makeini(f"[pytest]\nrecotap_mock_binary = {wrapper}\n")
    pytester.makepyfile("def test_it(recotap_mock):\n    assert recotap_mock.accounts() == []\n")
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(passed=1)
    assert mark.exists(), "the server fixture did not run the binary recotap_mock_binary names"
    assert os.access(wrapper, os.X_OK)
