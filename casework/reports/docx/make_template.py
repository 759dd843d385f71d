"""Builds report-template.docx, the Word template of every clinic report (casework.reports.rendering
.render_docx fills it with docxtpl). Run it again after changing it, and commit both:

    .venv/bin/python casework/reports/docx/make_template.py

The template is python-docx's default document (so its style ids agree with the section bodies that
rendering.py builds in a scratch python-docx document), set to A4, with:

- the header: the protective marking, and, for a draft, "DRAFT" in red and a diagonal watermark
  shape (VML, as Word's own watermarks are) behind the text of every page;
- the footer: the marking, the case reference and version, and "Page N of M" (PAGE and NUMPAGES
  fields, which Word fills in);
- the body: the title, the particulars as a table, the correction note, then each section as a
  Heading 1 and its body.

Only Jinja tags and constant text are written here: what a user wrote reaches the document through
docxtpl's autoescaping or python-docx, never as XML.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.shared import Cm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "report-template.docx"
PROTECTIVE_MARKING = (
    "OFFICIAL-SENSITIVE"  # casework.referrals.letters.PROTECTIVE_MARKING (not imported: no Django here)
)
FONT = "Arial"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
V = "urn:schemas-microsoft-com:vml"
O = "urn:schemas-microsoft-com:office:office"  # noqa: E741

# A diagonal "DRAFT" behind the page's text, anchored in the header so that it is on every page.
WATERMARK_RUN = f"""
<w:r xmlns:w="{W}" xmlns:v="{V}" xmlns:o="{O}">
  <w:pict>
    <v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800"
        path="m@7,l@8,m@5,21600l@6,21600e">
      <v:formulas>
        <v:f eqn="sum #0 0 10800"/><v:f eqn="prod #0 2 1"/><v:f eqn="sum 21600 0 @1"/>
        <v:f eqn="sum 0 0 @2"/><v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/>
        <v:f eqn="if @0 21600 @1"/><v:f eqn="if @0 0 @2"/><v:f eqn="if @0 @4 21600"/>
        <v:f eqn="mid @5 @6"/><v:f eqn="mid @8 @5"/><v:f eqn="mid @7 @8"/>
        <v:f eqn="mid @6 @7"/><v:f eqn="sum @6 0 @5"/>
      </v:formulas>
      <v:path textpathok="t" o:connecttype="custom" o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800"
          o:connectangles="270,180,90,0"/>
      <v:textpath on="t" fitshape="t"/>
      <o:lock v:ext="edit" text="t" shapetype="t"/>
    </v:shapetype>
    <v:shape id="ReportDraftWatermark" o:spid="_x0000_s2049" type="#_x0000_t136"
        style="position:absolute;margin-left:0;margin-top:0;width:440pt;height:146pt;rotation:315;
               z-index:-251657216;mso-position-horizontal:center;mso-position-horizontal-relative:margin;
               mso-position-vertical:center;mso-position-vertical-relative:margin"
        o:allowincell="f" fillcolor="#d4351c" stroked="f">
      <v:fill opacity=".2"/>
      <v:textpath style="font-family:&quot;{FONT}&quot;;font-size:1pt;font-weight:bold" string="DRAFT"/>
    </v:shape>
  </w:pict>
</w:r>
"""


def _field(paragraph, instruction: str, placeholder: str) -> None:
    """A simple field (PAGE, NUMPAGES) whose result Word works out when the document is shown."""
    paragraph._p.append(
        parse_xml(
            f'<w:fldSimple xmlns:w="{W}" w:instr=" {instruction} \\* MERGEFORMAT ">'
            f"<w:r><w:t>{placeholder}</w:t></w:r></w:fldSimple>"
        )
    )


def _centred(container, text: str, *, bold: bool = False, size: float | None = None, colour=None):
    paragraph = container.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = bold or None
    if size:
        run.font.size = Pt(size)
    if colour:
        run.font.color.rgb = colour
    return paragraph


def build(path: Path = OUTPUT) -> Path:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.3)
    section.left_margin = section.right_margin = Cm(2)
    section.header_distance = section.footer_distance = Cm(1)

    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Quote", "List Bullet", "List Continue"):
        document.styles[name].font.name = FONT
    # The title and author are set by render_docx (not as Jinja here: docxtpl would escape them twice).
    document.core_properties.title = ""
    document.core_properties.author = ""
    document.core_properties.comments = ""
    document.core_properties.language = "en-GB"

    # Header: the marking on every page; for a draft, "DRAFT" and the watermark.
    header = section.header
    header.is_linked_to_previous = False
    first = header.paragraphs[0]
    first.alignment = WD_ALIGN_PARAGRAPH.CENTER
    first.add_run(PROTECTIVE_MARKING).bold = True
    header.add_paragraph("{%p if draft %}")
    draft = _centred(header, "DRAFT – not issued", bold=True, size=9, colour=RGBColor(0xD4, 0x35, 0x1C))
    draft._p.append(parse_xml(WATERMARK_RUN))
    header.add_paragraph("{%p endif %}")

    # Footer: the marking, then the reference, the version and "Page N of M".
    footer = section.footer
    footer.is_linked_to_previous = False
    marking = footer.paragraphs[0]
    marking.alignment = WD_ALIGN_PARAGRAPH.CENTER
    marking.add_run(PROTECTIVE_MARKING).bold = True
    line = footer.add_paragraph()
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    line.add_run("{{ reference }} · {{ version }} · Page ").font.size = Pt(8.5)
    _field(line, "PAGE", "1")
    line.add_run(" of ").font.size = Pt(8.5)
    _field(line, "NUMPAGES", "1")

    # Body.
    document.add_paragraph("{{ title }}", style="Title")
    document.add_paragraph("{{ clinic_name }}")
    table = document.add_table(rows=3, cols=2)
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.cell(0, 0).text = "{%tr for item in particulars %}"
    table.cell(1, 0).text = "{{ item.label }}"
    table.cell(1, 0).paragraphs[0].runs[0].bold = True
    table.cell(1, 1).text = "{{ item.value }}"
    table.cell(2, 0).text = "{%tr endfor %}"
    for row in table.rows:
        row.cells[0].width, row.cells[1].width = Cm(5.5), Cm(11.5)

    document.add_paragraph("{%p if correction_note %}")
    document.add_paragraph().add_run("This issue replaces the previous one.").bold = True
    document.add_paragraph("{{ correction_note }}", style="Quote")
    document.add_paragraph("{%p endif %}")

    document.add_paragraph("{%p for section in sections %}")
    document.add_paragraph("{{ section.title }}", style="Heading 1")
    document.add_paragraph("{%p if section.empty %}")
    document.add_paragraph().add_run("Nothing written in this section.").italic = True
    document.add_paragraph("{%p else %}")
    document.add_paragraph("{{p section.body }}")
    document.add_paragraph("{%p endif %}")
    document.add_paragraph("{%p endfor %}")

    signature = document.add_paragraph()
    signature.paragraph_format.space_before = Pt(24)
    signature.add_run("{{ author }}")
    signature.add_run().add_break()
    signature.add_run("{{ author_role }}")
    signature.add_run().add_break()
    signature.add_run("{{ clinic_name }}")

    document.save(str(path))
    return path


if __name__ == "__main__":
    written = build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT)
    print(f"Wrote {written}")
