"""Without Chromium the browser tests fail with instructions; they never skip."""

from pathlib import Path

import pytest

from tests.browser.conftest import chromium_or_fail


def test_a_missing_chromium_fails_with_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match=r"apt-get install -y chromium"):
        chromium_or_fail(tmp_path / "chromium")
