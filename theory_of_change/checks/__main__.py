"""Print the rules' documentation: ``python -m theory_of_change.checks > docs/checks.md``."""

from . import checks_markdown

print(checks_markdown(), end="")
