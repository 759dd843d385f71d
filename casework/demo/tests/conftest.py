"""The demo is big (most of a minute for the cases): each test module builds it once
(``casework.core.testing.kept_for_the_module``) and every test gets its own savepoint and its own
copy of the builders' context, so nothing one test does reaches another."""

from __future__ import annotations

import copy

from casework.demo.context import DemoContext


def private_copy(context: DemoContext) -> DemoContext:
    """The context as the module's build left it (random state included), for one test to use up."""
    return copy.deepcopy(context)
