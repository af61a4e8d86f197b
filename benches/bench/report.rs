//! Tables and goals: a section's [`Row`]s, each a figure beside its reference, judged against a
//! [`Goal`] (the verdicts are printed in the full run only); the summary of goals; and the
//! formatting of durations, sizes, rates and ratios.

use std::time::Duration;

use crate::Mode;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Verdict {
    Pass,
    Miss,
    Info,
}

/// A goal on one number: at most or at least `limit`.
#[derive(Clone, Copy)]
pub enum Goal {
    AtMost(f64),
    AtLeast(f64),
}

impl Goal {
    fn verdict(self, value: f64) -> Verdict {
        let met = match self {
            Goal::AtMost(limit) => value <= limit,
            Goal::AtLeast(limit) => value >= limit,
        };
        if met {
            Verdict::Pass
        } else {
            Verdict::Miss
        }
    }
}

/// One line of a section's table.
pub struct Row {
    measure: String,
    figure: String,
    reference: String,
    ratio: String,
    goal: String,
    pub verdict: Verdict,
    /// What the goal judges, as the summary shows it: the ratio, or the figure.
    judged: String,
}

impl Row {
    /// A figure with a reference and no goal.
    pub fn info(measure: &str, figure: String, reference: String, ratio: Option<f64>) -> Row {
        Row {
            measure: measure.to_string(),
            figure,
            reference,
            ratio: ratio.map_or("-".to_string(), fmt_ratio),
            goal: "-".to_string(),
            verdict: Verdict::Info,
            judged: String::new(),
        }
    }

    /// A goal on the ratio figure / reference.
    pub fn ratio_goal(
        measure: &str,
        figure: String,
        reference: String,
        ratio: f64,
        goal: Goal,
    ) -> Row {
        Row {
            goal: goal_label(goal, "×"),
            verdict: goal.verdict(ratio),
            judged: fmt_ratio(ratio),
            ..Row::info(measure, figure, reference, Some(ratio))
        }
    }

    /// A goal on the figure itself (`label` says it in the figure's unit).
    pub fn figure_goal(mut row: Row, value: f64, goal: Goal, label: &str) -> Row {
        row.goal = label.to_string();
        row.verdict = goal.verdict(value);
        row.judged = row.figure.clone();
        row
    }

    /// The row as a tab-separated line for the summary.
    pub fn marked(&self, section: &str) -> String {
        format!(
            "{}\t{}\t{}\t{}\t{}",
            section,
            self.measure,
            self.judged,
            self.goal,
            verdict_label(self.verdict)
        )
    }
}

fn goal_label(goal: Goal, unit: &str) -> String {
    match goal {
        Goal::AtMost(limit) => format!("≤ {limit}{unit}"),
        Goal::AtLeast(limit) => format!("≥ {limit}{unit}"),
    }
}

fn verdict_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "PASS",
        Verdict::Miss => "MISS",
        Verdict::Info => "",
    }
}

/// A section's table; in smoke mode without the goal and verdict columns, since figures from
/// tiny counts are judged against nothing.
pub fn print_table(rows: &[Row], mode: Mode) {
    if mode.smoke {
        println!(
            "{:<34} {:>14} {:>14} {:>8}",
            "measure (tiny counts)", "figure", "reference", "ratio"
        );
        for row in rows {
            println!(
                "{:<34} {:>14} {:>14} {:>8}",
                row.measure, row.figure, row.reference, row.ratio
            );
        }
        return;
    }
    println!(
        "{:<34} {:>14} {:>14} {:>8} {:>12}  verdict",
        "measure", "figure", "reference", "ratio", "goal"
    );
    for row in rows {
        println!(
            "{:<34} {:>14} {:>14} {:>8} {:>12}  {}",
            row.measure,
            row.figure,
            row.reference,
            row.ratio,
            row.goal,
            verdict_label(row.verdict)
        );
    }
}

/// Every goal of the run, from the lines [`Row::marked`] made, and how many were met.
pub fn print_summary(goals: &[String]) {
    println!("\n=== summary ===");
    println!(
        "{:<11} {:<34} {:>14} {:>12}  verdict",
        "section", "measure", "result", "goal"
    );
    let mut met = 0;
    for goal in goals {
        let fields: Vec<&str> = goal.split('\t').collect();
        if let [section, measure, result, limit, verdict] = fields[..] {
            println!("{section:<11} {measure:<34} {result:>14} {limit:>12}  {verdict}");
            met += usize::from(verdict == "PASS");
        }
    }
    println!("{met} of {} goals met", goals.len());
}

pub fn ratio(figure: Duration, reference: Duration) -> f64 {
    figure.as_secs_f64() / reference.as_secs_f64().max(1e-9)
}

/// The `q` quantile (nearest rank) of exact samples.
pub fn quantile(samples: &[Duration], q: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len().max(1));
    sorted.get(rank - 1).copied().unwrap_or_default()
}

pub fn fmt_ratio(ratio: f64) -> String {
    format!("{ratio:.2}×")
}

pub fn fmt_duration(d: Duration) -> String {
    let micros = d.as_secs_f64() * 1e6;
    if micros < 1_000.0 {
        format!("{micros:.0} µs")
    } else if micros < 1_000_000.0 {
        format!("{:.2} ms", micros / 1e3)
    } else {
        format!("{:.2} s", micros / 1e6)
    }
}

/// A whole or fractional number of seconds, for labels.
pub fn fmt_secs(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

pub fn fmt_mib(bytes: f64) -> String {
    format!("{:.1} MiB", bytes / (1024.0 * 1024.0))
}

pub fn fmt_rate(per_second: f64) -> String {
    if per_second >= 10_000.0 {
        format!("{:.1}k/s", per_second / 1e3)
    } else {
        format!("{per_second:.0}/s")
    }
}
