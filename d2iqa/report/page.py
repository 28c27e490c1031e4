"""The HTML of a report: one self-contained page (inline CSS, figures, a small sorting script)."""
from html import escape

__all__ = ['figure_html', 'page', 'section', 'table_html']

_STYLE = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 1.5em auto;
       max-width: 1100px; color: #222; line-height: 1.4; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ccc;
     padding-bottom: 0.2em; margin-top: 1.8em; } h3 { margin-bottom: 0.3em; font-size: 1.05em; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.6em 0; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.55em; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
td:first-child { word-break: break-all; min-width: 10em; }
th { background: #f2f2f2; } table.sortable th { cursor: pointer; user-select: none; }
table.sortable th:after { content: ' \\2195'; color: #999; }
tr.outlier td { background: #fde8e8; } .flag { color: #b00; font-weight: 600; }
.note { color: #555; font-size: 0.9em; } figure { margin: 0.6em 0; }
figure img { max-width: 100%; height: auto; } figcaption { font-size: 0.85em; color: #444; }
.thumbnails { display: flex; flex-wrap: wrap; gap: 0.8em; }
.thumbnails figure { width: 340px; margin: 0; }
code { font-size: 0.9em; background: #f5f5f5; padding: 0 0.2em; }
"""

# Click a column header to sort by it (numbers as numbers); click again to reverse.
_SCRIPT = """
document.querySelectorAll('table.sortable').forEach(function (table) {
  table.querySelectorAll('th').forEach(function (header, column) {
    header.addEventListener('click', function () {
      var body = table.tBodies[0], rows = Array.from(body.rows);
      var ascending = header.dataset.order !== 'ascending';
      header.dataset.order = ascending ? 'ascending' : 'descending';
      rows.sort(function (a, b) {
        var x = a.cells[column].dataset.value || a.cells[column].textContent;
        var y = b.cells[column].dataset.value || b.cells[column].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var order = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""


def _cell(value, digits):
    if value is None or value == '':
        return '<td></td>'
    if isinstance(value, bool):
        return f'<td>{"yes" if value else ""}</td>'
    if isinstance(value, float):
        return f'<td class="number" data-value="{value!r}">{value:.{digits}f}</td>'
    if isinstance(value, int):
        return f'<td class="number" data-value="{value}">{value}</td>'
    return f'<td>{escape(str(value))}</td>'


def table_html(headers, rows, *, sortable=False, digits=4, row_classes=None, table_id=None):
    """An HTML table; ``rows`` are sequences of cells (floats shown with ``digits``)."""
    attributes = ' class="sortable"' if sortable else ''
    if table_id:
        attributes += f' id="{escape(table_id)}"'
    head = ''.join(f'<th>{escape(h)}</th>' for h in headers)
    body = []
    for number, row in enumerate(rows):
        css = row_classes[number] if row_classes else ''
        cells = ''.join(_cell(value, digits) for value in row)
        body.append(f'<tr class="{css}">{cells}</tr>' if css else f'<tr>{cells}</tr>')
    return (f'<table{attributes}><thead><tr>{head}</tr></thead><tbody>{"".join(body)}'
            '</tbody></table>')


def figure_html(uri, caption, *, alt=None):
    """An inlined figure with its caption."""
    return (f'<figure><img src="{uri}" alt="{escape(alt or caption)}">'
            f'<figcaption>{escape(caption)}</figcaption></figure>')


def section(title, *parts, level=2, anchor=None):
    """A heading and its contents (HTML strings)."""
    anchor = f' id="{escape(anchor)}"' if anchor else ''
    return f'<section{anchor}><h{level}>{escape(title)}</h{level}>{"".join(parts)}</section>'


def page(title, subtitle, sections):
    """The whole document: nothing in it refers outside itself."""
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)}</title><style>{_STYLE}</style></head><body>'
            f'<h1>{escape(title)}</h1><p class="note">{escape(subtitle)}</p>'
            f'{"".join(sections)}<script>{_SCRIPT}</script></body></html>\n')
