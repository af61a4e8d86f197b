"""recotap-mock from Python: the bundled ``recotap-mock`` binary (an in-memory emulator of
Recotap's External API v1), its admin API as plain methods, and a pytest plugin.

    from recotap_mock import RecotapMock

    with RecotapMock() as mock:                 # starts the bundled binary on a free port
        mock.add_custom_field("Contract Value", "number")
        my_sync(mock.base_url, mock.api_key)    # the code under test
        assert mock.account_by_domain("acme.com")["name"] == "Acme Corp"
        mock.assert_no_client_errors()

With pytest the ``recotap_mock`` fixture is a fresh isolated session on one shared binary.
"""

from ._binary import find_binary
from ._mock import RecotapMock, RecotapMockError

__all__ = ["RecotapMock", "RecotapMockError", "find_binary"]
