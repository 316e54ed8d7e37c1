"""The convention's documents, derived from the model so they never disagree with it.

Every export takes a :class:`~theory_of_change.model.Project` and returns bytes:

- :mod:`exports.diagram` — the pathway diagram (SVG, PNG, PDF, DOT), with filters;
- :mod:`exports.action_plan` — the action plan and its calendar (annexe 4);
- :mod:`exports.action_sheets` — the action sheets, one per page;
- :mod:`exports.sppe_sheet` — the SPPE sheet and the organising authorities' duties;
- :mod:`exports.tracker` — the follow-up table (annexe 6), XLSX and CSV;
- :mod:`exports.dossier` — everything in one ZIP with a cover page;
- :mod:`exports.cli` — the ``chemins export …`` commands.

Documents are built once as a neutral structure (:mod:`exports.document`) that the DOCX,
ODT, Markdown and HTML writers render. This package never imports Flask or ``app``.
"""
