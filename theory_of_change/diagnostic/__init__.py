"""The shared diagnostic (annexe 2): imported figures, tensions, evidence, draft stakes.

Kept free of imports on purpose: :mod:`theory_of_change.model` imports
:mod:`theory_of_change.diagnostic.model`, so loading this package must not load the
importer or anything that needs the project model.
"""
