"""The cases tests' worlds, for the access suite: ``world`` (a perpetrator case) and ``pair`` (the
information-barrier pair, with canaries)."""

from casework.cases.tests.conftest import documents_in_tmp, world  # noqa: F401  (fixtures)
from casework.cases.tests.test_information_barrier import pair  # noqa: F401  (fixture)
