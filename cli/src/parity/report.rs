//! What a parity run prints: one line per scenario (`same` / `differs`), then the table of
//! differences as an aligned Markdown table (it reads in a terminal and pastes into an issue),
//! then a one-line summary.

use super::compare::Difference;

/// The whole report for scenarios run in `order`.
pub fn render(order: &[&str], differences: &[Difference]) -> String {
    let width = order.iter().map(|name| name.len()).max().unwrap_or(0);
    let mut out = String::new();
    let mut differing = 0;
    for name in order {
        let differs = differences
            .iter()
            .any(|difference| difference.scenario == *name);
        differing += usize::from(differs);
        let verdict = if differs { "differs" } else { "same" };
        out.push_str(&format!("{name:<width$}  {verdict}\n"));
    }
    if !differences.is_empty() {
        out.push('\n');
        out.push_str(&table(differences));
        out.push('\n');
    }
    let summary = match differing {
        0 => format!("{}, no differences", counted(order.len(), "scenario")),
        1 => format!(
            "1 of {} differs ({})",
            counted(order.len(), "scenario"),
            counted(differences.len(), "difference")
        ),
        _ => format!(
            "{differing} of {} differ ({})",
            counted(order.len(), "scenario"),
            counted(differences.len(), "difference")
        ),
    };
    out.push_str(&summary);
    out.push('\n');
    out
}

/// `n` and the noun, plural unless `n` is one.
fn counted(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ => format!("{n} {noun}s"),
    }
}

fn table(differences: &[Difference]) -> String {
    let header = ["scenario", "step", "path", "emulator", "target"].map(str::to_string);
    let rows: Vec<[String; 5]> = differences
        .iter()
        .map(|difference| {
            [
                &difference.scenario,
                &difference.step,
                &difference.path,
                &difference.emulator,
                &difference.target,
            ]
            .map(|cell| cell.replace('|', "\\|"))
        })
        .collect();
    let mut widths = header.clone().map(|cell| cell.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String; 5]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell}{}", " ".repeat(width - cell.chars().count())))
            .collect();
        format!("| {} |\n", padded.join(" | "))
    };
    let mut out = line(&header);
    let rule: Vec<String> = widths.iter().map(|width| "-".repeat(*width)).collect();
    out.push_str(&format!("|-{}-|\n", rule.join("-|-")));
    for row in &rows {
        out.push_str(&line(row));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_scenario_gets_a_line_and_each_difference_a_row() {
        let difference = Difference {
            scenario: "put".into(),
            step: "extra-property".into(),
            path: "status".into(),
            emulator: "400".into(),
            target: "200".into(),
        };
        assert_eq!(
            render(&["create", "put"], &[difference]),
            "create  same\n\
             put     differs\n\
             \n\
             | scenario | step           | path   | emulator | target |\n\
             |----------|----------------|--------|----------|--------|\n\
             | put      | extra-property | status | 400      | 200    |\n\
             \n\
             1 of 2 scenarios differs (1 difference)\n"
        );
        assert_eq!(
            render(&["create"], &[]),
            "create  same\n1 scenario, no differences\n"
        );
    }
}
