//! Go's `text/tabwriter` as kubectl's describe output configures it: cells end at a tab,
//! a column's width is its widest cell plus padding (at least `min_width`), the text after
//! a line's last tab is not part of any column, and a column block ends at a line with
//! fewer cells — the nesting describe's sections rely on, which a table crate does not
//! model. (`kubectl get`'s uniform tables are laid out by comfy-table: `columns.rs`.)

pub struct TabWriter {
    min_width: usize,
    padding: usize,
}

impl TabWriter {
    /// kubectl's describe output: min width 0, padding 2.
    pub fn describe() -> TabWriter {
        TabWriter { min_width: 0, padding: 2 }
    }

    /// Aligns `text` that may end without a newline (the last line is then left open).
    pub fn format_partial(&mut self, text: &str) -> String {
        let mut out = self.format(text);
        if !text.ends_with('\n') && out.ends_with('\n') {
            out.pop();
        }
        out
    }

    /// Aligns `text` (lines of tab-separated cells).
    pub fn format(&mut self, text: &str) -> String {
        let lines: Vec<Vec<&str>> = text.split_terminator('\n').map(|l| l.split('\t').collect()).collect();
        let mut out = String::new();
        let mut widths = Vec::new();
        self.block(&lines, 0, lines.len(), &mut widths, &mut out);
        out
    }

    fn block(
        &mut self,
        lines: &[Vec<&str>],
        mut line0: usize,
        line1: usize,
        widths: &mut Vec<usize>,
        out: &mut String,
    ) {
        let column = widths.len();
        let mut this = line0;
        while this < line1 {
            if column + 1 >= lines[this].len() {
                this += 1;
                continue;
            }
            // A cell in this column: write the lines before it, then size the block.
            write_lines(&lines[line0..this], widths, out);
            line0 = this;
            let mut width = self.min_width;
            while this < line1 && column + 1 < lines[this].len() {
                width = width.max(lines[this][column].chars().count() + self.padding);
                this += 1;
            }
            widths.push(width);
            self.block(lines, line0, this, widths, out);
            widths.pop();
            line0 = this;
        }
        write_lines(&lines[line0..line1], widths, out);
    }
}

fn write_lines(lines: &[Vec<&str>], widths: &[usize], out: &mut String) {
    for line in lines {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if j + 1 < line.len() {
                if let Some(width) = widths.get(j) {
                    let pad = width.saturating_sub(cell.chars().count());
                    out.extend(std::iter::repeat_n(' ', pad));
                }
            }
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_without_cells_ends_the_block() {
        let text = "A\tB\nlonger-cell\tx\n\nC\tD\n";
        assert_eq!(TabWriter::describe().format(text), "A            B\nlonger-cell  x\n\nC  D\n");
    }
}
