//! What a test asks after the code under test ran, for the whole mock or one session:
//! expectations ([`Expected`]), `verify`, `assert_no_client_errors` and the report. Shared
//! by [`MockRecotap`](crate::MockRecotap) and [`Session`](crate::Session).

use crate::world::journal::RecordedRequest;
use crate::world::report;
use crate::world::shared::Shared;
use crate::world::verify::{Count, RequestPattern};

/// The journal and expectations of a team (`Some`) or of the whole mock (`None`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Checks<'m> {
    pub shared: &'m Shared,
    pub team: Option<&'m str>,
}

impl<'m> Checks<'m> {
    pub fn expect(self, request: RequestPattern) -> Expected<'m> {
        let id = self
            .shared
            .world()
            .expect(self.team, request, Count::AtLeast(1));
        Expected {
            shared: self.shared,
            id,
        }
    }

    pub fn try_verify(self) -> Result<(), ExpectationsNotMet> {
        self.shared
            .world()
            .verify(self.team)
            .map_err(|report| ExpectationsNotMet { report })
    }

    pub fn verify(self) {
        if let Err(failure) = self.try_verify() {
            panic!("recotap-mock: {failure}");
        }
    }

    pub fn requests(self) -> Vec<RecordedRequest> {
        self.shared.world().requests_of(self.team)
    }

    pub fn report(self) -> String {
        report::report(&self.shared.world().evidence_of(self.team))
    }

    pub fn assert_no_client_errors(self) {
        let errors = report::client_errors(&self.shared.world().evidence_of(self.team));
        if !errors.is_empty() {
            panic!(
                "recotap-mock: the code under test got {} client error(s):\n  {}\ncheck what it \
                 sends against the rules named above",
                errors.len(),
                errors.join("\n  ")
            );
        }
    }
}

/// Expectations that do not hold: `Display` gives what was expected, what was received
/// (method, path, status, `customMessage` of each) and what to check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectationsNotMet {
    report: String,
}

impl ExpectationsNotMet {
    /// The report: one paragraph per expectation that does not hold.
    pub fn report(&self) -> &str {
        &self.report
    }
}

impl std::fmt::Display for ExpectationsNotMet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "expectations not met:\n{}", self.report)
    }
}

impl std::error::Error for ExpectationsNotMet {}

/// An expectation just registered: at least one matching request unless one of these methods
/// says otherwise. Checked by `verify()` and when the mock (or session) is dropped.
///
/// ```
/// use recotap_mock::{MockRecotap, NewAccount, RequestPattern};
/// let mock = MockRecotap::start();
/// mock.expect(RequestPattern::post("/accounts")).times(1);
/// reqwest::blocking::Client::new()
///     .post(format!("{}/accounts", mock.base_url()))
///     .header("X-Api-Key", mock.api_key())
///     .json(&serde_json::json!({ "accounts": [{ "domain": "acme.com", "name": "Acme" }] }))
///     .send().unwrap();
/// mock.verify();
/// ```
#[derive(Debug)]
pub struct Expected<'m> {
    shared: &'m Shared,
    id: u64,
}

impl Expected<'_> {
    fn count(self, count: Count) -> Self {
        self.shared.world().set_expected_count(self.id, count);
        self
    }

    /// Exactly `n` matching requests.
    pub fn times(self, n: u64) -> Self {
        self.count(Count::Exactly(n))
    }

    /// At least `n` matching requests.
    ///
    /// # Panics
    /// If `n` is 0: such an expectation always holds, so it could never catch anything.
    pub fn at_least(self, n: u64) -> Self {
        assert!(
            n > 0,
            "recotap-mock: at_least(0) always holds; expect at least 1, or nothing"
        );
        self.count(Count::AtLeast(n))
    }

    /// At most `n` matching requests.
    pub fn at_most(self, n: u64) -> Self {
        self.count(Count::AtMost(n))
    }

    /// No matching request at all.
    pub fn never(self) -> Self {
        self.count(Count::Exactly(0))
    }
}
