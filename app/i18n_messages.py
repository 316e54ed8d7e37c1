"""The texts of the pages' scripts, translated on the server: one catalogue per audience.

A script cannot call gettext. The page renders the texts its script needs as JSON in
``<script type="application/json" id="messages">`` (a browser never runs it, so the strict
Content-Security-Policy allows it) and the script's ``t(text, params)`` looks its French
text up there, falling back on that French text when the catalogue lacks it. The
console's step page carries only what results.js needs (the console's own script is
still French).

A catalogue maps:

- each French text (its msgid) to its translation: ``"Envoyer mon vote"`` → ``"Send my
  vote"``; placeholders are Python's, ``%(name)s``, which ``t`` fills in the same way;
- each plural text, by its French singular, to its two translated forms
  ``[one, other]``: the script picks one with the page language's plural rules
  (``Intl.PluralRules``: in French 0 and 1 take the singular, in English only 1);
- ``error.<code>`` to the translation of each error code the server sends a phone: the
  server's messages come from the domain, in French; a page in another language shows
  this translation instead (:data:`PHONE_ERRORS`).

Every value goes through gettext when the page is drawn, in the page's language; the
texts are marked with ``N_`` (or written in ``ngettext`` calls) so that ``pybabel extract``
finds them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from flask_babel import get_translations, gettext

Catalogue = dict[str, str | list[str]]
PluralForms = Callable[[int], str]


def N_(text: str) -> str:  # noqa: N802 - the name pybabel extracts by default
    """Mark ``text`` for extraction; it is translated when a catalogue is built."""
    return text


def ngettext(singular: str, plural: str, n: int) -> str:
    """The translated form of ``singular``/``plural`` for ``n``, placeholders left in.

    Flask-Babel's ngettext fills ``%(num)d`` in; the script fills it itself. The name is
    the one pybabel extracts as a plural.
    """
    return str(get_translations().ungettext(singular, plural, n))


# --- Texts shared by the phone, the projector and the console (results.js) ------------------

STEP_KIND_TEXTS: tuple[str, ...] = (
    N_("Remue-méninges"),
    N_("Vote à gommettes"),
    N_("Classement"),
    N_("Notation"),
    N_("Choix"),
)

CONNECTION_TEXTS: tuple[str, ...] = (
    N_("Connexion…"),
    N_("Hors ligne"),
)

RESULTS_TEXTS: tuple[str, ...] = (
    N_("ex æquo"),
    N_("%(percent)s %%"),
    N_("Résultats du vote à gommettes"),
    N_("Rang"),
    N_("Option"),
    N_("Graphique"),
    N_("Gommettes"),
    N_("Résultats du choix"),
    N_("Résultats du choix (plusieurs réponses possibles)"),
    N_("Réponse"),
    N_("Voix"),
    N_("Part"),
    N_("Commentaires (%(count)s)"),
    N_("Aucun classement reçu pour l'instant."),
    N_("Gagnant de Condorcet : « %(label)s » (préféré à chaque autre option en duel)."),
    N_("Pas de gagnant de Condorcet : aucune option ne gagne tous ses duels."),
    N_("Classement : méthode de Schulze et décompte de Borda"),
    N_("Rang (Schulze)"),
    N_("Duels gagnés"),
    N_("Points Borda"),
    N_("Rang (Borda)"),
    N_("aucune option"),
    N_("%(criterion)s : moyenne"),
    N_("médiane"),
    N_("Case de la matrice"),
    N_("Notes"),
    N_("Notes moyennes (et médianes) par option, de %(low)s à %(high)s"),
    N_("Colonne %(label)s"),
    N_("Pas encore d'idée."),
    N_("Pas encore de résultat."),
)

RESULTS_PLURALS: dict[str, PluralForms] = {
    "%(num)d votant": lambda n: ngettext("%(num)d votant", "%(num)d votants", n),
    "%(num)d gommette posée": lambda n: ngettext(
        "%(num)d gommette posée", "%(num)d gommettes posées", n
    ),
    "%(num)d idée": lambda n: ngettext("%(num)d idée", "%(num)d idées", n),
    "%(num)d contributeur": lambda n: ngettext(
        "%(num)d contributeur", "%(num)d contributeurs", n
    ),
    "%(num)d soutien": lambda n: ngettext("%(num)d soutien", "%(num)d soutiens", n),
    "%(num)d doublon": lambda n: ngettext("%(num)d doublon", "%(num)d doublons", n),
}

# --- The projector (projector.js) -------------------------------------------------------------

PROJECTOR_TEXTS: tuple[str, ...] = (
    N_("Résultats définitifs"),
    N_("Idées en direct"),
    N_("Vote en cours · résultats en direct"),
    N_("À venir"),
    N_("L'atelier est terminé, merci !"),
    N_("Bienvenue !"),
    N_("Les résultats seront repris dans le compte-rendu."),
    N_("Rejoignez l'atelier avec votre téléphone : scannez le QR code ou saisissez le code."),
    N_("En attente des premiers votes…"),
    N_("En direct"),
    N_("Hors ligne — reconnexion…"),
    N_("Vote clos"),
    N_("Vote en cours"),
    N_("Résultats masqués jusqu'à leur révélation"),
    N_("Résultats masqués jusqu'à la fin du vote"),
)

PROJECTOR_PLURALS: dict[str, PluralForms] = {
    "participant": lambda n: ngettext("participant", "participants", n),
    "%(num)d a contribué": lambda n: ngettext("%(num)d a contribué", "%(num)d ont contribué", n),
    "%(num)d a voté": lambda n: ngettext("%(num)d a voté", "%(num)d ont voté", n),
    "%(num)d téléphone connecté": lambda n: ngettext(
        "%(num)d téléphone connecté", "%(num)d téléphones connectés", n
    ),
}

# --- The phone (phone.js) -------------------------------------------------------------------

PHONE_TEXTS: tuple[str, ...] = (
    N_("En ligne"),
    N_("Nouvelle étape : %(title)s"),
    N_("Bienvenue ! Vous participez à l'atelier."),
    N_("✓ Votre vote est enregistré. Vous pouvez le modifier tant que l'étape est ouverte."),
    N_("Votre vote est enregistré"),
    N_("✓ Votre idée est enregistrée."),
    N_("Votre idée est enregistrée"),
    N_("L'atelier est terminé"),
    N_("Atelier indisponible"),
    N_("L'atelier n'a pas encore commencé"),
    N_("Cette page se mettra à jour dès son ouverture."),
    N_("Merci pour votre participation ! Les résultats seront repris dans le compte-rendu."),
    N_("En attente de la prochaine étape"),
    N_("L'écran changera de lui-même dès que l'animateur lancera l'étape suivante."),
    N_("Cette étape est close : merci pour vos réponses."),
    N_("Envoyer mon vote"),
    N_("Modifier mon vote"),
    N_("✓ Votre vote est enregistré."),
    N_("Modifications non envoyées."),
    N_("Envoi en cours…"),
    N_("Hors ligne : votre vote partira dès le retour de la connexion."),
    N_("Gommettes restantes"),
    N_("Retirer une gommette de « %(label)s »"),
    N_("Ajouter une gommette à « %(label)s »"),
    N_("Impossible d'ajouter une gommette ici."),
    N_("Aucune gommette à retirer."),
    N_("%(dots)s sur « %(label)s », %(left)s."),
    N_("Classez les options de la plus importante (1) à la moins importante avec les flèches."),
    N_("Monter « %(label)s »"),
    N_("Descendre « %(label)s »"),
    N_("« %(label)s » est maintenant en position %(position)s sur %(count)s."),
    N_("%(value)s sur %(max)s"),
    N_("%(criterion)s — « %(option)s »"),
    N_("Choisissez une ou plusieurs réponses"),
    N_("Choisissez une réponse"),
    N_("%(count)s / %(max)s caractères"),
    N_("Commentaire (facultatif)"),
    N_("Colonne"),
    N_("Colonne :"),
    N_("Écrivez votre idée avant de l'envoyer."),
    N_("Votre idée dépasse %(max)s caractères."),
    N_("Hors ligne : votre idée partira dès le retour de la connexion."),
    N_("Votre idée"),
    N_("Envoyer l'idée"),
    N_("Idées de la colonne"),
    N_("Idées proposées"),
    N_("Idées proposées (%(count)s)"),
    N_("Aucune idée pour l'instant : lancez-vous !"),
    N_("Retirer mon soutien (%(supports)s)"),
    N_("Soutenir cette idée (%(supports)s)"),
    N_("Moyennes"),
    N_("Résultats en direct (%(voters)s)"),
    N_("Les résultats sont dévoilés."),
    N_("Les résultats seront dévoilés par l'animation."),
)

PHONE_PLURALS: dict[str, PluralForms] = {
    "%(num)d gommette au plus par option": lambda n: ngettext(
        "%(num)d gommette au plus par option", "%(num)d gommettes au plus par option", n
    ),
    "%(num)d gommette": lambda n: ngettext("%(num)d gommette", "%(num)d gommettes", n),
    "%(num)d restante": lambda n: ngettext("%(num)d restante", "%(num)d restantes", n),
    "%(num)d personne a voté pour l'instant.": lambda n: ngettext(
        "%(num)d personne a voté pour l'instant.", "%(num)d personnes ont voté pour l'instant.", n
    ),
    "%(num)d personne a voté.": lambda n: ngettext(
        "%(num)d personne a voté.", "%(num)d personnes ont voté.", n
    ),
}

PHONE_ERRORS: dict[str, str] = {
    # The connection and the messages themselves (app/sockets.py, app/protocol.py).
    "too_many_connections": N_(
        "Trop de connexions : le serveur est plein. Réessayez dans quelques instants."
    ),
    "bad_json": N_("Le serveur n'a pas compris un message de cette page : rechargez-la."),
    "unknown_type": N_("Le serveur n'a pas compris un message de cette page : rechargez-la."),
    "invalid_message": N_("Le serveur n'a pas compris un message de cette page : rechargez-la."),
    "too_long": N_("Message trop long : raccourcissez votre texte."),
    "internal_error": N_("Erreur du serveur : rien n'a été enregistré. Réessayez dans un instant."),
    "forbidden": N_("Action refusée."),
    "hello_first": N_("La connexion n'est pas prête : rechargez la page."),
    "protocol_version": N_("Cette page n'est plus à jour : rechargez-la."),
    "bad_code": N_("Ce code d'atelier n'est pas valide : relisez le code affiché à l'écran."),
    # The workshop and the participant's actions (workshops/service.py).
    "unknown_workshop": N_("Aucun atelier ne correspond à ce code."),
    "workshop_closed": N_("Cet atelier est terminé : il n'accepte plus de participation."),
    "workshop_not_open": N_("Cet atelier n'a pas encore commencé : patientez un instant."),
    "not_joined": N_("Rejoignez l'atelier avant de participer."),
    "invalid_participant": N_("Participation refusée : vérifiez votre prénom ou pseudonyme."),
    "invalid_group": N_("Ce collège n'existe pas dans cet atelier."),
    "unknown_step": N_("Cette étape n'existe pas dans cet atelier."),
    "step_not_open": N_(
        "Cette étape n'est pas ouverte : votre contribution n'a pas été enregistrée."
    ),
    "not_allowed": N_("Ce n'est pas possible à cette étape."),
    "rate_limited": N_(
        "Vous proposez des idées très vite : attendez quelques secondes avant la suivante."
    ),
    "unknown_column": N_("Cette colonne n'existe pas dans cette étape."),
    "invalid_idea": N_(
        "Impossible pour cette idée : elle est vide, trop longue, masquée ou fusionnée "
        "avec une autre."
    ),
    "unknown_idea": N_("Cette idée n'existe pas (ou plus)."),
    "invalid_ballot": N_("Ce vote n'est pas valide : vérifiez vos réponses."),
}
"""Error code → French text, general enough to stand for every message with that code."""


def _catalogue(
    texts: Iterable[str],
    plurals: Mapping[str, PluralForms] | None = None,
    errors: Mapping[str, str] | None = None,
) -> Catalogue:
    """Translate ``texts``, ``plurals`` and ``errors`` into the request's language."""
    catalogue: Catalogue = {text: gettext(text) for text in texts}
    # Two forms, "one" and "other": what French and English need (2 takes the other form).
    catalogue.update({key: [forms(1), forms(2)] for key, forms in (plurals or {}).items()})
    catalogue.update({f"error.{code}": gettext(text) for code, text in (errors or {}).items()})
    return catalogue


def results_messages() -> Catalogue:
    """What results.js needs (the projector's and the console's shared renderers)."""
    return _catalogue(RESULTS_TEXTS, RESULTS_PLURALS)


def projector_messages() -> Catalogue:
    """The projector page's catalogue: projector.js and results.js."""
    return _catalogue(
        STEP_KIND_TEXTS + CONNECTION_TEXTS + PROJECTOR_TEXTS + RESULTS_TEXTS,
        {**PROJECTOR_PLURALS, **RESULTS_PLURALS},
    )


def phone_messages() -> Catalogue:
    """The phone page's catalogue: phone.js, its errors included."""
    return _catalogue(
        STEP_KIND_TEXTS + CONNECTION_TEXTS + PHONE_TEXTS + RESULTS_TEXTS,
        {**PHONE_PLURALS, **RESULTS_PLURALS},
        PHONE_ERRORS,
    )
