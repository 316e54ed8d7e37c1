"""The follow-up table (annexe 6): one row per action, as XLSX and as CSV.

Every field has its own column so the table can be filtered, sorted and filled in: the
status is a drop-down list (à venir / en cours / réalisé / abandonné), and there is one
"valeur observée" column per year of the convention, filled from the sheet's
observations. Numbers stay numbers in the XLSX; unknown baselines and targets read
"à compléter". The CSV is what French Excel opens with a double click: UTF-8 with a
byte-order mark, ``;`` between fields, CRLF line ends and decimal commas.
"""

from __future__ import annotations

import csv
import io
import textwrap

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from theory_of_change.model import ACTIVITY_STATUS_LABELS, Activity, Project

from .action_plan import convention_label
from .formats import check_format
from .labels import TO_COMPLETE, format_number, format_years, is_missing, xml_safe
from .ordering import action_numbers, in_plan_order

TRACKER_FORMATS = ("xlsx", "csv")
STATUS_LABELS = tuple(ACTIVITY_STATUS_LABELS.values())
SHEET_TITLE = "Suivi des actions"
# The drop-down list covers the status column down to this row, so rows added by hand
# below the exported actions get it too.
VALIDATION_LAST_ROW = 1000

CellValue = str | int | float | None


def observation_years(project: Project) -> list[int]:
    """The convention's years, plus any year an observation was made outside them."""
    years = set(project.convention.years())
    for activity in project.activities:
        years.update(o.year for o in activity.sheet.observations)
    return sorted(years)


def tracker_headers(project: Project) -> list[str]:
    """The column headings of the follow-up table."""
    return [
        "Axe stratégique",
        "N°",
        "Intitulé de l'action",
        "Pilote",
        "Partenaires",
        "Années",
        "Statut",
        "Indicateurs",
        "Valeur de référence",
        "Cible",
        *(f"Valeur observée {year}" for year in observation_years(project)),
        "Commentaire",
    ]


STATUS_COLUMN = 7  # 1-based, "Statut"
FIRST_OBSERVED_COLUMN = 11


def _measure(value: object) -> CellValue:
    if is_missing(value):
        return TO_COMPLETE
    if isinstance(value, int | float | str):
        return value
    return str(value)


def _axis_label(project: Project, activity: Activity, axis_numbers: dict[str, int]) -> str:
    if activity.axis is None:
        return TO_COMPLETE
    axis = project.axis(activity.axis)
    return f"{axis_numbers[axis.id]}. {axis.title}"


def tracker_rows(project: Project) -> list[list[CellValue]]:
    """One row of values per action, in plan order (numbers as numbers, None when blank).

    An observed value is blank for a year nobody reported on, "à compléter" when the
    year has an observation whose value is unknown.
    """
    numbers = action_numbers(project)
    axis_numbers = {a.id: n for n, a in enumerate(project.sorted_axes(), start=1)}
    years = observation_years(project)
    activities = sorted(in_plan_order(project), key=lambda a: numbers[a.id])
    rows: list[list[CellValue]] = []
    for activity in activities:
        sheet = activity.sheet
        observed: dict[int, CellValue] = {}
        comments: list[str] = []
        for observation in sorted(sheet.observations, key=lambda o: o.year):
            observed[observation.year] = _measure(observation.value)
            if observation.comment:
                comments.append(f"{observation.year} : {observation.comment}")
        rows.append(
            [
                _axis_label(project, activity, axis_numbers),
                numbers[activity.id],
                activity.title,
                sheet.lead or TO_COMPLETE,
                ", ".join(sheet.partners) if sheet.partners else TO_COMPLETE,
                format_years(activity.years),
                ACTIVITY_STATUS_LABELS[activity.status],
                "\n".join(sheet.indicators) if sheet.indicators else TO_COMPLETE,
                _measure(sheet.baseline),
                _measure(sheet.target),
                *(observed.get(year) for year in years),
                "\n".join(comments) or None,
            ]
        )
    return rows


# --- XLSX ----------------------------------------------------------------------------------

_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_MISSING_FONT = Font(italic=True, color="808080")
_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="top", wrap_text=True)
_STATUS_FILLS = {
    "en cours": "FFF2CC",
    "réalisé": "E2EFDA",
    "abandonné": "E7E6E6",
}
_WIDTHS = {
    "Axe stratégique": 20,
    "N°": 5,
    "Intitulé de l'action": 38,
    "Pilote": 18,
    "Partenaires": 24,
    "Années": 10,
    "Statut": 11,
    "Indicateurs": 30,
    "Valeur de référence": 12,
    "Cible": 12,
    "Commentaire": 30,
}
OBSERVED_WIDTH = 11
LINE_HEIGHT_POINTS = 12.5


def _column_width(header: str) -> int:
    return _WIDTHS.get(header, OBSERVED_WIDTH)


def _row_height(values: list[CellValue], widths: list[int]) -> float:
    """A row height that shows every wrapped line.

    Spreadsheets do not grow rows written by openpyxl to fit wrapped text, so the height
    is estimated from the text length and the column width (in characters).
    """
    lines = 1
    for value, width in zip(values, widths, strict=True):
        if value is None:
            continue
        usable = max(width - 1, 1)
        count = sum(
            max(1, len(textwrap.wrap(part, usable, break_long_words=True)))
            for part in str(value).split("\n")
        )
        lines = max(lines, count)
    return lines * LINE_HEIGHT_POINTS + 3


def _named_styles() -> list[NamedStyle]:
    return [
        NamedStyle(name="Chemins donnée", border=_BORDER, alignment=_WRAP),
        NamedStyle(name="Chemins numéro", border=_BORDER, alignment=_CENTER),
        NamedStyle(name="Chemins à compléter", border=_BORDER, alignment=_WRAP,
                   font=_MISSING_FONT),
    ]


def status_validation() -> DataValidation:
    """The drop-down list of the four statuses, in French."""
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(STATUS_LABELS) + '"',
        allow_blank=True,
        showDropDown=False,  # openpyxl's name is inverted: False shows the arrow
        showErrorMessage=True,
        errorTitle="Statut inconnu",
        error="Choisissez un statut dans la liste : " + ", ".join(STATUS_LABELS) + ".",
        promptTitle="Statut",
        prompt="à venir, en cours, réalisé ou abandonné",
        showInputMessage=True,
    )
    return validation


def render_tracker_xlsx(project: Project) -> bytes:
    """The follow-up table as the bytes of an ``.xlsx`` workbook."""
    headers = tracker_headers(project)
    rows = tracker_rows(project)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE

    sheet.append(headers)
    for column, header in enumerate(headers, start=1):
        header_cell = sheet.cell(row=1, column=column)
        header_cell.fill = _HEADER_FILL
        header_cell.font = _HEADER_FONT
        header_cell.alignment = _CENTER
        header_cell.border = _BORDER
        sheet.column_dimensions[get_column_letter(column)].width = _column_width(header)
    widths = [_column_width(header) for header in headers]
    sheet.row_dimensions[1].height = _row_height(list(headers), widths)

    for index, values in enumerate(rows, start=2):
        values = [xml_safe(value) if isinstance(value, str) else value for value in values]
        sheet.append(values)
        sheet.row_dimensions[index].height = _row_height(values, widths)
    # Named styles: assigning border, alignment and font cell by cell costs openpyxl a
    # hash of each style object, most of the export time for a large plan.
    for style in _named_styles():
        workbook.add_named_style(style)
    for row in sheet.iter_rows(min_row=2, max_row=len(rows) + 1):
        for value_cell in row:
            if value_cell.value == TO_COMPLETE:
                value_cell.style = "Chemins à compléter"
            elif value_cell.column == 2:
                value_cell.style = "Chemins numéro"
            else:
                value_cell.style = "Chemins donnée"

    last_column = get_column_letter(len(headers))
    last_row = len(rows) + 1
    sheet.freeze_panes = "D2"
    sheet.auto_filter.ref = f"A1:{last_column}{last_row}"

    status = get_column_letter(STATUS_COLUMN)
    validation = status_validation()
    sheet.add_data_validation(validation)
    validation.add(f"{status}2:{status}{max(VALIDATION_LAST_ROW, last_row)}")
    status_range = f"{status}2:{status}{max(VALIDATION_LAST_ROW, last_row)}"
    for label, colour in _STATUS_FILLS.items():
        sheet.conditional_formatting.add(
            status_range,
            CellIsRule(operator="equal", formula=[f'"{label}"'],
                       fill=PatternFill("solid", fgColor=colour, bgColor=colour)),
        )

    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.print_options.gridLines = False
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddHeader.center.text = f"Tableau de suivi — {project.territory.name}"
    sheet.oddFooter.left.text = convention_label(project)
    sheet.oddFooter.right.text = "Page &P / &N"

    workbook.properties.title = f"Tableau de suivi — {project.title}"
    workbook.properties.creator = "Chemins"
    workbook.properties.language = "fr-FR"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- CSV -----------------------------------------------------------------------------------


def _csv_value(value: CellValue) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        # No thousands separator: Excel would then read the figure as text.
        return format_number(value, grouping=False)
    return str(value)


def render_tracker_csv(project: Project) -> bytes:
    """The follow-up table as CSV for French Excel: UTF-8 with BOM, ``;``, CRLF."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(tracker_headers(project))
    for row in tracker_rows(project):
        writer.writerow([_csv_value(value) for value in row])
    return out.getvalue().encode("utf-8-sig")


def render_tracker(project: Project, fmt: str = "xlsx") -> bytes:
    """The follow-up table as ``xlsx`` or ``csv`` bytes."""
    fmt = check_format(fmt, TRACKER_FORMATS)
    return render_tracker_xlsx(project) if fmt == "xlsx" else render_tracker_csv(project)
