"""Test setup: import the package from this source tree, and the mpmath oracles from tests/oracle."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(ROOT / "tests" / "oracle"))

try:  # Debian: python3-hypothesis; the property tests skip without it
    from hypothesis import settings

    # No example database in the source tree; failures print their example and seed.
    settings.register_profile("caremetrics", database=None, deadline=None, print_blob=True)
    settings.load_profile("caremetrics")
except ImportError:
    pass
