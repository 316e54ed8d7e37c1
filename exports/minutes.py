"""The workshop minutes (compte-rendu) as a Word document or a standalone web page.

:func:`minutes_document` lays out a :class:`~workshops.minutes.Minutes` as the neutral
document every writer renders: title and date, participants by collège, the steps in
order — ideas by column with their merges, results as charts *and* tables (a table says
the same as its chart, for screen readers and for print), results by collège — then what
was written into the model and how votes are counted. Charts are PNG in Word and ODT,
inline SVG in HTML: the page needs no other file, so it can be served to every
participant after the workshop or sent by e-mail.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from theory_of_change.model import Decision
from workshops.minutes import (
    Minutes,
    StepMinutes,
    enumerate_fr,
    local_time,
    lower_first,
    plural,
    quote,
)
from workshops.model import StepKind
from workshops.tallies import (
    BrainstormResult,
    ChoiceResult,
    DotVoteResult,
    RankingResult,
    RatingResult,
    RatingRow,
)

from .charts import (
    NEUTRAL,
    OKABE_ITO,
    BarChart,
    BarSeries,
    Chart,
    MatrixChart,
    MatrixPoint,
    chart_size_cm,
    inline_svg,
    render_chart,
)
from .document import (
    ACCENT,
    ACCENT_LIGHT,
    Align,
    Block,
    BulletList,
    Cell,
    Document,
    Heading,
    Image,
    Paragraph,
    Row,
    Span,
    Table,
    bullets,
    cell,
    header_row,
    labelled,
    para,
)
from .formats import check_format, render_document
from .labels import NBSP, format_date, format_number, french_spacing

MINUTES_FORMATS = ("docx", "odt", "html")
ImageKind = Literal["png", "svg"]

MAX_CHART_BARS = 20
"""Bars shown in a chart at most (the best placed); the table always lists every option."""
MAX_GROUP_COLUMNS = 4
"""Collèges side by side in a table of results by collège; more are split over tables."""
MAX_DUEL_OPTIONS = 8
"""The table of duels is shown up to this many options; beyond, it no longer fits a page."""

EX_AEQUO = "ex æquo"


def render_minutes(minutes: Minutes, fmt: str) -> bytes:
    """The minutes as ``docx``, ``odt`` or ``html`` bytes (the HTML page is self-contained)."""
    fmt = check_format(fmt, MINUTES_FORMATS)
    images: ImageKind = "svg" if fmt == "html" else "png"
    return render_document(minutes_document(minutes, images=images), fmt, MINUTES_FORMATS)


def minutes_document(minutes: Minutes, *, images: ImageKind = "png") -> Document:
    """The minutes as a neutral document whose charts are ``png`` (office) or ``svg`` (web)."""
    layout = _Layout(minutes, images)
    return layout.document()


class _Layout:
    """Builds the document; numbers the charts so their SVG ids stay unique on a page."""

    def __init__(self, minutes: Minutes, images: ImageKind) -> None:
        self.minutes = minutes
        self.images = images
        self.charts = 0
        # A collège keeps its colour in every chart: its place among the workshop's.
        self.colours: dict[str | None, str] = {
            group.group_id: OKABE_ITO[index % len(OKABE_ITO)]
            for index, group in enumerate(g for g in minutes.participants.groups
                                          if g.group_id is not None)
        }
        self.colours[None] = NEUTRAL

    def document(self) -> Document:
        """The whole compte-rendu, in reading order."""
        minutes = self.minutes
        document = Document(
            title=minutes.title,
            footer=f"Compte-rendu — {minutes.workshop_title}",
        )
        document.add(*self._cover())
        document.add(*self._participants())
        document.add(*self._programme())
        for step in minutes.steps:
            document.add(*self._step(step))
        document.add(*self._decisions())
        document.add(*self._methods())
        return document

    # Charts ----------------------------------------------------------------------------

    def image(self, chart: Chart, caption: str) -> Image:
        """The chart drawn in the kind of picture this document carries."""
        self.charts += 1
        width, height = chart_size_cm(chart)
        if self.images == "png":
            return Image(alt=chart.description, width_cm=width, height_cm=height,
                         png=render_chart(chart, "png"), caption=caption)
        svg = inline_svg(render_chart(chart, "svg"), f"graphique-{self.charts}")
        return Image(alt=chart.description, width_cm=width, height_cm=height, svg=svg,
                     caption=caption)

    def colour(self, group_id: str | None) -> str:
        """The colour of a collège in every chart of the document."""
        return self.colours.get(group_id, OKABE_ITO[len(self.colours) % len(OKABE_ITO)])

    # Cover, participants, programme ------------------------------------------------------

    def _cover(self) -> list[Block]:
        minutes = self.minutes
        blocks: list[Block] = [
            para("Compte-rendu d'atelier", style="title"),
            para(minutes.workshop_title, style="subtitle"),
        ]
        if minutes.project_title:
            blocks.append(labelled("Projet", minutes.project_title))
        if minutes.held_on:
            days = enumerate_fr([format_date(day) for day in minutes.held_on])
            blocks.append(labelled("Date de l'atelier", days))
        blocks += [
            labelled("Statut de l'atelier", minutes.workshop_status_label),
            para(f"Compte-rendu établi le {format_date(minutes.generated_on)}."),
            para(
                "Ce compte-rendu est anonyme\u00a0: il compte les participants par collège et "
                "cite les idées et les commentaires sans dire qui les a écrits ni qui a "
                "voté quoi.",
                style="note",
            ),
        ]
        return blocks

    def _participants(self) -> list[Block]:
        summary = self.minutes.participants
        blocks: list[Block] = [Heading("Participants", 1), para(french_spacing(summary.sentence))]
        if summary.total:
            rows = [header_row("Collège", "Participants", centred_from=1)]
            rows += [
                Row(cells=(cell(group.label), cell(str(group.count), align="center")))
                for group in summary.groups
            ]
            rows.append(
                Row(cells=(cell("Total", bold=True, fill=ACCENT_LIGHT),
                           cell(str(summary.total), bold=True, fill=ACCENT_LIGHT,
                                align="center")))
            )
            blocks.append(Table(rows=tuple(rows), widths=(10.0, 3.0)))
        if summary.nicknames:
            blocks.append(labelled("Pseudonymes donnés", ", ".join(summary.nicknames)))
        return blocks

    def _programme(self) -> list[Block]:
        rows = [header_row("N°", "Étape", "Type", "Statut", "Participation")]
        for step in self.minutes.steps:
            rows.append(
                Row(
                    cells=(
                        cell(str(step.number), align="center"),
                        cell(step.title),
                        cell(_capitalised(step.kind_label)),
                        cell(step.status_label),
                        cell(_participation(step)),
                    )
                )
            )
        return [Heading("Déroulé de l'atelier", 1),
                Table(rows=tuple(rows), widths=(0.9, 7.0, 3.0, 2.0, 3.6))]

    # Steps -------------------------------------------------------------------------------

    def _step(self, step: StepMinutes) -> list[Block]:
        blocks: list[Block] = [
            Heading(f"Étape {step.number} — {step.title}", 1),
            para(
                Span("Type\u00a0: ", bold=True), _capitalised(step.kind_label),
                Span(" — Statut\u00a0: ", bold=True), step.status_label,
                Span(" — Participation\u00a0: ", bold=True), _participation(step),
            ),
        ]
        if step.prompt:
            blocks.append(labelled("Consigne", step.prompt))
        blocks.append(para(french_spacing(step.rules), style="note"))
        result = step.result
        if result is None:
            blocks.append(para("Cette étape n'a pas été lancée\u00a0: elle n'a pas de résultat."))
            return blocks
        if isinstance(result, BrainstormResult):
            blocks += self._brainstorm(step, result)
        elif isinstance(result, DotVoteResult):
            blocks += self._dot_vote(step, result)
        elif isinstance(result, RankingResult):
            blocks += self._ranking(step, result)
        elif isinstance(result, RatingResult):
            blocks += self._rating(step, result)
        elif isinstance(result, ChoiceResult):
            blocks += self._choice(step, result)
        blocks += _written(step)
        return blocks

    def _notes(self, step: StepMinutes) -> list[Block]:
        return [para(Span(french_spacing(note), italic=True)) for note in step.notes]

    # Brainstorm ----------------------------------------------------------------------------

    def _brainstorm(self, step: StepMinutes, result: BrainstormResult) -> list[Block]:
        facts = [
            f"{plural(step.ideas_posted, 'idée proposée', 'idées proposées')} par "
            f"{plural(result.contributors, 'participant')}",
            f"{plural(result.ideas, 'idée', 'idées')} au mur"
            + (f", {plural(step.ideas_merged, 'doublon fusionné', 'doublons fusionnés')} "
               "dans d'autres idées" if step.ideas_merged else ""),
            plural(step.upvotes, "soutien"),
        ]
        blocks: list[Block] = [bullets(facts), *self._notes(step)]  # facts hold no colon
        cards = sorted(
            (card for column in result.columns for card in column.ideas if card.upvotes),
            key=lambda card: -card.upvotes,
        )[:MAX_CHART_BARS]
        if cards:
            chart = BarChart(
                title=f"Idées les plus soutenues — {step.title}",
                labels=tuple(card.text for card in cards),
                series=(BarSeries("Soutiens", tuple(float(c.upvotes) for c in cards)),),
                value_label="Soutiens",
                description="Soutiens reçus par idée : " + "; ".join(
                    f"{card.text} : {plural(card.upvotes, 'soutien')}" for card in cards
                ) + ".",
            )
            blocks.append(self.image(chart, "Les idées les plus soutenues"))
        clusters = any(card.cluster for column in result.columns for card in column.ideas)
        for column in result.columns:
            blocks.append(Heading(f"Colonne « {column.label} »", 2))
            if not column.ideas:
                blocks.append(para("Aucune idée dans cette colonne."))
                continue
            header = ("Idée", "Regroupement", "Soutiens") if clusters else ("Idée", "Soutiens")
            rows = [header_row(*header, centred_from=len(header) - 1)]
            for card in column.ideas:
                idea: list[Paragraph | BulletList] = [para(card.text)]
                if card.merged:
                    idea.append(
                        bullets([(Span("doublon fusionné\u00a0: ", italic=True), m.text)
                                 for m in card.merged])
                    )
                cells: list[Cell] = [cell(*idea)]
                if clusters:
                    cells.append(cell(card.cluster or ""))
                cells.append(cell(str(card.upvotes), align="center"))
                rows.append(Row(cells=tuple(cells)))
            widths = (11.0, 3.5, 2.2) if clusters else (14.0, 2.2)
            blocks.append(Table(rows=tuple(rows), widths=widths))
        return blocks

    # Dot vote ----------------------------------------------------------------------------

    def _dot_vote(self, step: StepMinutes, result: DotVoteResult) -> list[Block]:
        shown = [row for row in result.rows if row.dots][:MAX_CHART_BARS]
        blocks: list[Block] = [
            para(f"{plural(result.dots_cast, 'gommette posée', 'gommettes posées')} sur "
                 f"{result.voters * result.budget} possibles ({result.budget} par votant)."),
            *self._notes(step),
        ]
        if shown:
            per_group = {
                group.group_id: {r.option_id: r.dots for r in group.result.rows}  # type: ignore[union-attr]
                for group in step.by_group
            }
            chart = BarChart(
                title=f"Gommettes par option — {step.title}",
                labels=tuple(row.label for row in shown),
                series=self._group_series(step, [row.option_id for row in shown], per_group,
                                          [float(row.dots) for row in shown]),
                value_label="Gommettes",
                notes=tuple(_tied(str(row.dots), row.tied) for row in shown),
                description="Gommettes reçues par option : " + "; ".join(
                    f"{row.label} : {plural(row.dots, 'gommette')}"
                    + (f" ({EX_AEQUO})" if row.tied else "") for row in shown
                ) + ".",
            )
            blocks.append(self.image(chart, _by_group_caption(step, "Gommettes par option")))
        rows = [header_row("Rang", "Option", "Gommettes", "Votants", centred_from=2)]
        rows += [
            Row(cells=(cell(_rank(row.rank, row.tied and row.dots > 0)), cell(row.label),
                       cell(str(row.dots), align="center"),
                       cell(str(row.voters), align="center")))
            for row in result.rows
        ]
        blocks.append(Table(rows=tuple(rows), widths=(2.2, 10.0, 2.4, 2.2)))
        blocks += self._by_group_table(
            step, [row.option_id for row in result.rows],
            {row.option_id: row.label for row in result.rows},
            lambda group_result, option_id: str(
                next(r.dots for r in group_result.rows if r.option_id == option_id)
            ),
            what="gommettes",
        )
        return blocks

    def _group_series(
        self,
        step: StepMinutes,
        option_ids: Sequence[str],
        per_group: dict[str | None, dict[str, int]],
        totals: Sequence[float],
    ) -> tuple[BarSeries, ...]:
        """One stacked series per collège, or a single series when only one voted."""
        if len(step.by_group) <= 1:
            return (BarSeries("Total", tuple(totals), color=OKABE_ITO[0]),)
        return tuple(
            BarSeries(
                group.label,
                tuple(float(per_group[group.group_id].get(o, 0)) for o in option_ids),
                color=self.colour(group.group_id),
            )
            for group in step.by_group
        )

    def _by_group_table(
        self,
        step: StepMinutes,
        option_ids: Sequence[str],
        labels: dict[str, str],
        value: Callable[..., str],
        *,
        what: str,
    ) -> list[Block]:
        """Options in rows, collèges in columns (with their number of voters).

        More than :data:`MAX_GROUP_COLUMNS` collèges are split over several tables, so a
        collège's name always fits its column on an A4 page.
        """
        groups = step.by_group
        if len(groups) <= 1:
            return []
        blocks: list[Block] = [
            Heading("Résultats par collège", 2),
            para(f"{_capitalised(what)} de chaque collège\u00a0; entre parenthèses, le nombre de "
                 "votants du collège.", style="note"),
        ]
        chunks = -(-len(groups) // MAX_GROUP_COLUMNS)
        size = -(-len(groups) // chunks)
        for start in range(0, len(groups), size):
            chunk = groups[start:start + size]
            header = Row(
                cells=(
                    _header_cell("Option", align="left"),
                    *(_header_cell(f"{group.label} ({group.voters})") for group in chunk),
                ),
                header=True,
            )
            rows = [header]
            for option_id in option_ids:
                cells = [cell(labels[option_id])]
                cells += [cell(value(group.result, option_id), align="center")
                          for group in chunk]
                rows.append(Row(cells=tuple(cells)))
            group_width = 2.6
            blocks.append(
                Table(rows=tuple(rows),
                                widths=(max(6.6, 17.0 - group_width * len(chunk)),
                              *(group_width for _ in chunk)))
            )
        return blocks

    # Ranking -----------------------------------------------------------------------------

    def _ranking(self, step: StepMinutes, result: RankingResult) -> list[Block]:
        blocks: list[Block] = [*self._notes(step)]
        if result.voters == 0:
            return blocks
        borda = {row.option_id: row for row in result.borda}
        shown = result.borda[:MAX_CHART_BARS]
        chart = BarChart(
            title=f"Points de Borda — {step.title}",
            labels=tuple(row.label for row in shown),
            series=(BarSeries("Points de Borda", tuple(row.score for row in shown),
                              color=OKABE_ITO[0]),),
            value_label="Points de Borda",
            notes=tuple(_tied(format_number(row.score), row.tied) for row in shown),
            description="Points de Borda par option : " + "; ".join(
                f"{row.label} : {format_number(row.score)} points"
                + (f" ({EX_AEQUO})" if row.tied else "") for row in shown
            ) + ".",
        )
        blocks.append(self.image(chart, "Points de Borda par option"))
        rows = [header_row("Option", "Rang Schulze", "Rang Borda", "Points Borda",
                           centred_from=1)]
        for row in result.schulze.rows:
            b = borda[row.option_id]
            rows.append(
                Row(cells=(cell(row.label), cell(_rank(row.rank, row.tied), align="center"),
                           cell(_rank(b.rank, b.tied), align="center"),
                           cell(format_number(b.score), align="center")))
            )
        blocks.append(Table(rows=tuple(rows), widths=(9.4, 2.6, 2.6, 2.4)))
        blocks += _duels(result)
        blocks += self._by_group_table(
            step, [row.option_id for row in result.schulze.rows],
            {row.option_id: row.label for row in result.schulze.rows},
            lambda group_result, option_id: next(
                _rank(r.rank, r.tied, short=True) for r in group_result.schulze.rows
                if r.option_id == option_id
            ),
            what="rangs selon la méthode de Schulze (« = » : à égalité)",
        )
        return blocks

    # Rating ------------------------------------------------------------------------------

    def _rating(self, step: StepMinutes, result: RatingResult) -> list[Block]:
        blocks: list[Block] = [*self._notes(step)]
        if result.voters == 0:
            return blocks
        numbers = {row.option_id: n for n, row in enumerate(result.rows, start=1)}
        criteria = result.criteria
        if len(criteria) == 2:
            placed = [r for r in result.rows if r.quadrant is not None]
            cells = {q.id: q.label for q in result.quadrants}
            chart: Chart = MatrixChart(
                title=f"Matrice {criteria[0].label} × {criteria[1].label} — {step.title}",
                x_label=f"{criteria[0].label} (moyenne)",
                y_label=f"{criteria[1].label} (moyenne)",
                scale_min=result.scale_min,
                scale_max=result.scale_max,
                midpoint=result.midpoint,
                points=tuple(
                    MatrixPoint(numbers[r.option_id], r.label, r.stats[0].mean or 0.0,
                                r.stats[1].mean or 0.0)
                    for r in placed
                ),
                quadrant_labels=cells,
                description=f"Matrice 2×2, {criteria[0].label} en abscisse et "
                f"{criteria[1].label} en ordonnée : " + "; ".join(
                    f"{numbers[r.option_id]}. {r.label} : {_means(r)}, case "
                    f"{quote(r.quadrant.label)}" for r in placed if r.quadrant
                ) + ".",
            )
            caption = (f"Matrice 2×2 : {criteria[0].label.lower()} et "
                       f"{criteria[1].label.lower()} moyens de chaque option")
        else:
            chart = BarChart(
                title=f"{criteria[0].label} moyen — {step.title}",
                labels=tuple(r.label for r in result.rows),
                series=(BarSeries(criteria[0].label,
                                  tuple(r.stats[0].mean or 0.0 for r in result.rows)),),
                value_label=f"{criteria[0].label} (moyenne de {result.scale_min} à "
                            f"{result.scale_max})",
                description=f"{criteria[0].label} moyen par option : "
                + "; ".join(f"{r.label} : {_means(r)}" for r in result.rows) + ".",
            )
            caption = f"{criteria[0].label} moyen de chaque option"
        blocks.append(self.image(chart, caption))
        header = ["N°", "Option",
                  *(f"{c.label}\u00a0: moyenne" for c in criteria)]
        if len(criteria) == 2:
            header.append("Case de la matrice")
        rows = [header_row(*header, centred_from=2)]
        for row in result.rows:
            cells = [cell(str(numbers[row.option_id]), align="center"), cell(row.label)]
            cells += [_stat(s.mean, s.median, s.count) for s in row.stats]
            if len(criteria) == 2:
                cells.append(cell(row.quadrant.label if row.quadrant else "non placée"))
            rows.append(Row(cells=tuple(cells)))
        widths = (0.9, 6.2, 2.8, 2.8, 4.2) if len(criteria) == 2 else (0.9, 11.0, 4.0)
        blocks.append(Table(rows=tuple(rows), widths=widths))
        blocks += self._by_group_table(
            step, [row.option_id for row in result.rows],
            {row.option_id: row.label for row in result.rows},
            lambda group_result, option_id: next(
                _means(r, short=True) for r in group_result.rows if r.option_id == option_id
            ),
            what="moyennes " + " / ".join(c.label for c in criteria),
        )
        return blocks

    # Choice ------------------------------------------------------------------------------

    def _choice(self, step: StepMinutes, result: ChoiceResult) -> list[Block]:
        blocks: list[Block] = [*self._notes(step)]
        if result.voters == 0:
            return blocks
        shown = [row for row in result.rows if row.count][:MAX_CHART_BARS]
        if shown:
            per_group = {
                group.group_id: {r.option_id: r.count for r in group.result.rows}  # type: ignore[union-attr]
                for group in step.by_group
            }
            chart = BarChart(
                title=f"Réponses — {step.title}",
                labels=tuple(row.label for row in shown),
                series=self._group_series(step, [row.option_id for row in shown], per_group,
                                          [float(row.count) for row in shown]),
                value_label="Voix",
                notes=tuple(_tied(f"{row.count} ({_percent(row.share)})", row.tied)
                            for row in shown),
                description="Réponses : " + "; ".join(
                    f"{row.label} : {row.count} voix ({_percent(row.share)})"
                    + (f", {EX_AEQUO}" if row.tied else "") for row in shown
                ) + ".",
            )
            blocks.append(self.image(chart, _by_group_caption(step, "Voix par réponse")))
        rows = [header_row("Rang", "Réponse", "Voix", "Part des votants", centred_from=2)]
        rows += [
            Row(cells=(cell(_rank(row.rank, row.tied and row.count > 0)), cell(row.label),
                       cell(str(row.count), align="center"),
                       cell(_percent(row.share), align="center")))
            for row in result.rows
        ]
        blocks.append(Table(rows=tuple(rows), widths=(2.2, 9.6, 2.0, 3.0)))
        if result.multiple:
            blocks.append(para("Choix multiple\u00a0: un votant peut donner plusieurs réponses, "
                               "les parts ne s'additionnent donc pas à 100 %.", style="note"))
        blocks += self._by_group_table(
            step, [row.option_id for row in result.rows],
            {row.option_id: row.label for row in result.rows},
            lambda group_result, option_id: str(
                next(r.count for r in group_result.rows if r.option_id == option_id)
            ),
            what="voix",
        )
        blocks.append(Heading(f"Commentaires ({len(result.comments)})", 2))
        if result.comments:
            blocks.append(bullets([quote(comment) for comment in result.comments]))
        else:
            blocks.append(para("Aucun commentaire."))
        return blocks

    # Model and methods -------------------------------------------------------------------

    def _decisions(self) -> list[Block]:
        decisions = self.minutes.decisions
        blocks: list[Block] = [Heading("Ce qui a été écrit dans le modèle", 1)]
        if not decisions:
            blocks.append(para("Cet atelier n'a rien écrit dans le modèle du projet."))
            return blocks
        blocks.append(
            para("Chaque étape close a inscrit son résultat dans le modèle du projet\u00a0; le "
                 "journal des décisions en garde la trace.",
                 style="note")
        )
        rows = [header_row("Date", "Étape", "Décision")]
        rows += [
            Row(cells=(cell(_moment(d)), cell(d.step or "—"), cell(french_spacing(d.summary))))
            for d in decisions
        ]
        blocks.append(Table(rows=tuple(rows), widths=(2.8, 3.8, 10.4)))
        return blocks

    def _methods(self) -> list[Block]:
        kinds = {step.kind for step in self.minutes.steps if step.result is not None}
        items = [
            (Span(name, bold=True), f"\u00a0: {french_spacing(text)}")
            for kind, name, text in _METHODS
            if kind in kinds
        ]
        if not items:
            return []
        return [Heading("Comment les votes sont comptés", 1), bullets(items)]


_METHODS = (
    (StepKind.brainstorm, "Remue-méninges",
     "les idées masquées par l'animation ne sont pas reprises ; un doublon "
     "fusionné est montré sous l'idée qu'il rejoint, qui compte les soutiens des deux "
     "(un participant qui a soutenu les deux ne compte qu'une fois)."),
    (StepKind.dot_vote, "Vote à gommettes",
     "chaque option reçoit la somme des gommettes posées sur elle. Deux "
     "options qui en ont autant sont ex æquo et partagent le même rang (1, 2, 2, 4)."),
    (StepKind.ranking, "Classement, méthode de Borda",
     "avec n options, la 1re place rapporte n − 1 points, la "
     "dernière 0 ; les options non classées se partagent les points restants."),
    (StepKind.ranking, "Classement, méthode de Schulze",
     "on compare les options deux à deux (duels) ; une "
     "option est mieux placée qu'une autre si elle la bat directement ou par une chaîne "
     "de victoires plus forte. Le gagnant de Condorcet, s'il existe, gagne tous ses duels ; "
     "dans un cycle (A bat B, B bat C, C bat A), il n'y en a pas."),
    (StepKind.rating, "Notation",
     "moyenne et médiane des notes reçues. Dans la matrice 2×2, une option est "
     "du côté « fort » d'un critère si sa moyenne atteint le milieu de l'échelle."),
    (StepKind.choice, "Choix",
     "nombre de votants ayant choisi chaque réponse et leur part ; les commentaires "
     "sont reproduits sans leur auteur."),
)


# --- Small pieces ---------------------------------------------------------------------------


def _header_cell(label: str, *, align: Align = "center") -> Cell:
    """A header cell in small type: a collège's name must fit a narrow column."""
    return cell(para(Span(label), style="small", align=align), fill=ACCENT, bold=True,
                color="FFFFFF", align=align)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _participation(step: StepMinutes) -> str:
    if step.result is None:
        return "—"
    if step.kind == StepKind.brainstorm:
        return plural(step.participation, "participant")
    return plural(step.participation, "votant")


def _rank(rank: int, tied: bool, *, short: bool = False) -> str:
    if not tied:
        return str(rank)
    return f"{rank}=" if short else f"{rank} ({EX_AEQUO})"


def _tied(text: str, tied: bool) -> str:
    return f"{text} ({EX_AEQUO})" if tied else text


def _percent(share: float) -> str:
    return f"{format_number(round(100 * share))}{NBSP}%"


def _stat(mean: float | None, median: float | None, count: int) -> Cell:
    if mean is None or median is None:
        return cell("pas de note", align="center")
    return cell(
        para(Span(format_number(round(mean, 2)), bold=True), align="center"),
        para(f"médiane {format_number(median)}, {plural(count, 'note')}", style="small",
             align="center"),
        align="center",
    )


def _means(row: RatingRow, *, short: bool = False) -> str:
    values = [
        "—" if s.mean is None else format_number(round(s.mean, 1 if short else 2))
        for s in row.stats
    ]
    if short:
        return " / ".join(values)
    return ", ".join(f"{lower_first(s.label)} {value}" for s, value in
                     zip(row.stats, values, strict=True))


def _by_group_caption(step: StepMinutes, what: str) -> str:
    if len(step.by_group) <= 1:
        return what
    return f"{what}, chaque couleur représentant un collège"


def _moment(decision: Decision) -> str:
    local = local_time(decision.date)
    return f"{format_date(local.date())}, {local:%H} h {local:%M}"


def _written(step: StepMinutes) -> list[Block]:
    if step.result is None:
        return []
    blocks: list[Block] = [Heading("Écrit dans le modèle", 2)]
    if step.decisions:
        blocks.append(bullets([french_spacing(d.summary) for d in step.decisions]))
    else:
        blocks.append(para("Cette étape n'a rien écrit dans le modèle du projet."))
    return blocks


def _duels(result: RankingResult) -> list[Block]:
    """The table of duels: how many voters prefer the row's option to the column's."""
    options = result.schulze.rows
    if len(options) > MAX_DUEL_OPTIONS:
        return []
    pairwise = result.schulze.pairwise
    numbers = {row.option_id: str(n) for n, row in enumerate(options, start=1)}
    rows = [header_row("Option", *numbers.values(), centred_from=1)]
    for row in options:
        cells = [cell(f"{numbers[row.option_id]}. {row.label}")]
        for other in options:
            if other.option_id == row.option_id:
                cells.append(cell("—", align="center"))
                continue
            wins = pairwise[row.option_id][other.option_id]
            loses = pairwise[other.option_id][row.option_id]
            cells.append(cell(str(wins), align="center", bold=wins > loses))
        rows.append(Row(cells=tuple(cells)))
    label_width = 16.5 - 1.4 * len(options)
    return [
        Heading("Duels entre options", 2),
        para("Nombre de votants qui préfèrent l'option de la ligne à celle de la colonne\u00a0; "
             "en gras, les duels gagnés.", style="note"),
        Table(rows=tuple(rows), widths=(label_width, *(1.4 for _ in options))),
    ]
