"""Live workshops: brainstorming and prioritisation votes, their tallies and write-back.

The domain modules are pure Python, with neither Flask nor a database:
:mod:`workshops.model` (workshops, steps, ideas, ballots), :mod:`workshops.ballots`
(checking a ballot), :mod:`workshops.brainstorm` (moderating ideas),
:mod:`workshops.tallies` (results), :mod:`workshops.options` (options from the model),
:mod:`workshops.writeback` (closing a step writes into the model) and
:mod:`workshops.join_codes`. Persistence builds on them; they never depend on it.
"""
