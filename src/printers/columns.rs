//! kubectl's borderless tables (`kubectl get`, `api-resources`, custom columns), laid out
//! by comfy-table to match Go's tabwriter as kubectl sets it up: no borders, a column is
//! its widest cell plus 3 spaces and at least 6 wide, and the last cell of a row is not
//! part of any column (it is written as it is, unpadded). Describe's nested sections,
//! whose column blocks end at a line with fewer cells, stay with `tabwriter`.

use comfy_table::{presets::NOTHING, CellAlignment, ColumnConstraint, ContentArrangement, Table, Width};

const PADDING: usize = 3;
const MIN_WIDTH: usize = 6;

/// Lays out rows of cells; the widths it has used are kept for the next call, so the rows
/// a watch prints later line up with the earlier ones (as kubectl's watch output does).
#[derive(Debug, Default)]
pub struct TableLayout {
    remembered: Vec<usize>,
}

impl TableLayout {
    pub fn new() -> TableLayout {
        TableLayout::default()
    }

    /// The aligned lines, each ending in a newline.
    pub fn render(&mut self, rows: &[Vec<String>]) -> String {
        let columns = rows.iter().map(|r| r.len().saturating_sub(1)).max().unwrap_or(0);
        if columns == 0 {
            return rows.iter().map(|r| format!("{}\n", r.concat())).collect();
        }
        let mut table = Table::new();
        table.load_preset(NOTHING).set_content_arrangement(ContentArrangement::Disabled);
        for row in rows {
            let mut cells: Vec<&str> = row.iter().take(columns).map(String::as_str).collect();
            cells.resize(columns, "");
            table.add_row(cells);
        }
        let content = table.column_max_content_widths();
        self.remembered.resize(self.remembered.len().max(columns), 0);
        for (index, column) in table.column_iter_mut().enumerate() {
            let width = (content[index] as usize + PADDING).max(MIN_WIDTH).max(self.remembered[index]);
            self.remembered[index] = width;
            let fixed = u16::try_from(width).unwrap_or(u16::MAX);
            column.set_padding((0, 0));
            column.set_cell_alignment(CellAlignment::Left);
            column.set_constraint(ColumnConstraint::Absolute(Width::Fixed(fixed)));
        }
        let mut out = String::new();
        for (line, row) in table.lines().zip(rows) {
            out.push_str(&line);
            if row.len() > columns {
                out.push_str(&row[columns]);
            }
            out.push('\n');
        }
        out
    }
}

/// Splits kubectl's tab-separated lines into rows of cells.
pub fn rows_of_tab_text(text: &str) -> Vec<Vec<String>> {
    text.split_terminator('\n').map(|line| line.split('\t').map(str::to_string).collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<Vec<String>> {
        rows_of_tab_text(text)
    }

    #[test]
    fn columns_get_three_spaces_and_at_least_six() {
        let out = TableLayout::new().render(&rows("NAME\tIP\tAGE\nnginx\t<none>\t5s\n"));
        assert_eq!(out, "NAME    IP       AGE\nnginx   <none>   5s\n");
    }

    #[test]
    fn the_last_cell_is_not_padded_even_when_empty() {
        let out = TableLayout::new().render(&rows("NAME\tL1\nweb\t\n"));
        assert_eq!(out, "NAME   L1\nweb    \n");
    }

    #[test]
    fn later_rows_keep_the_widths_of_earlier_ones() {
        let mut layout = TableLayout::new();
        assert_eq!(
            layout.render(&rows("NAME\tAGE\nnginx-deployment-abc\t1s\n")),
            "NAME                   AGE\nnginx-deployment-abc   1s\n"
        );
        assert_eq!(layout.render(&rows("web\t2s\n")), "web                    2s\n");
    }

    #[test]
    fn one_column_prints_as_it_is() {
        assert_eq!(TableLayout::new().render(&rows("NAME\nweb\n")), "NAME\nweb\n");
    }
}
