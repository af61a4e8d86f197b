//! The team's configuration records (custom fields, segments) in the shapes of the state
//! document, and the re-exports of the account and id types. Plain data: no HTTP, no locking,
//! no business rules.

use serde::{Deserialize, Serialize};

pub use crate::data::account::{Account, NewAccount, ScoreUpdate};
pub(crate) use crate::fidelity::ids::splitmix64;
pub use crate::fidelity::ids::{IdGenerator, InvalidObjectId, ObjectId};

/// The type of a custom field's values (`labelType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LabelType {
    SingleLineText,
    MultiLineText,
    SingleSelection,
    MultiSelection,
    Number,
    Date,
}

impl LabelType {
    /// Every accepted `labelType`, in the order of the API's `isIn` message.
    pub const NAMES: &'static [&'static str] = &[
        "singleLineText",
        "multiLineText",
        "singleSelection",
        "multiSelection",
        "number",
        "date",
    ];

    /// Parses the API spelling (`"singleLineText"`, …).
    pub fn from_name(name: &str) -> Option<LabelType> {
        use LabelType::*;
        let all = [
            SingleLineText,
            MultiLineText,
            SingleSelection,
            MultiSelection,
            Number,
            Date,
        ];
        LabelType::NAMES
            .iter()
            .position(|known| *known == name)
            .map(|i| all[i])
    }

    /// Whether the type needs a list of `options`.
    pub fn is_selection(self) -> bool {
        matches!(self, LabelType::SingleSelection | LabelType::MultiSelection)
    }
}

/// Whether a custom field can be used (`active`) or is kept only for history (`inactive`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FieldStatus {
    #[default]
    Active,
    Inactive,
}

/// An account custom field.
///
/// ```
/// use recotap_mock::{CustomField, LabelType};
/// let field = CustomField::new("Revenue (USD)", LabelType::Number);
/// assert_eq!(field.key, "REVENUE_(USD)_C");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomField {
    pub key: String,
    pub label: String,
    pub label_type: LabelType,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default)]
    pub status: FieldStatus,
}

impl CustomField {
    /// An active field with the key the API derives from `label`.
    pub fn new(label: &str, label_type: LabelType) -> Self {
        CustomField {
            key: CustomField::key_for(label),
            label: label.to_string(),
            label_type,
            description: None,
            options: Vec::new(),
            status: FieldStatus::Active,
        }
    }

    /// The key for a label: spaces become `_`, upper-case, `_C` appended.
    pub fn key_for(label: &str) -> String {
        format!("{}_C", label.replace(' ', "_").to_uppercase())
    }

    /// Sets the description.
    pub fn description(mut self, description: &str) -> Self {
        self.description = Some(description.to_string());
        self
    }

    /// Sets the options (kept only for selection types, as the API does).
    pub fn options<S: AsRef<str>>(mut self, options: &[S]) -> Self {
        self.options = options.iter().map(|o| o.as_ref().to_string()).collect();
        self
    }

    /// Marks the field inactive: it exists but is neither listed nor accepted.
    pub fn inactive(mut self) -> Self {
        self.status = FieldStatus::Inactive;
        self
    }

    /// Overrides the derived key.
    pub fn key(mut self, key: &str) -> Self {
        self.key = key.to_string();
        self
    }
}

/// Static segments take members through the API; dynamic ones are computed by the vendor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SegmentType {
    #[default]
    Static,
    Dynamic,
}

/// A segment's life-cycle state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SegmentStatus {
    #[default]
    Active,
    Draft,
    Archived,
}

impl SegmentStatus {
    /// The API spelling.
    pub fn name(self) -> &'static str {
        match self {
            SegmentStatus::Active => "active",
            SegmentStatus::Draft => "draft",
            SegmentStatus::Archived => "archived",
        }
    }
}

/// A segment and its members (account ids in the order they joined).
///
/// ```
/// use recotap_mock::{Segment, SegmentStatus};
/// let seed = Segment::new("Q2 Target Accounts").id("seg-001").status(SegmentStatus::Draft);
/// assert_eq!(seed.segment_id.as_deref(), Some("seg-001"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Segment {
    /// `None` only in a seed: the mock then generates an id.
    #[serde(default)]
    pub segment_id: Option<String>,
    pub name: String,
    #[serde(default, rename = "type")]
    pub segment_type: SegmentType,
    #[serde(default)]
    pub status: SegmentStatus,
    #[serde(default)]
    pub members: Vec<ObjectId>,
}

impl Segment {
    /// A static, active segment with a generated id.
    pub fn new(name: &str) -> Self {
        Segment {
            segment_id: None,
            name: name.to_string(),
            segment_type: SegmentType::Static,
            status: SegmentStatus::Active,
            members: Vec::new(),
        }
    }

    /// Chooses the id (any non-empty string, e.g. `seg-001`).
    pub fn id(mut self, id: &str) -> Self {
        self.segment_id = Some(id.to_string());
        self
    }

    /// Makes the segment dynamic (it then refuses members pushed through the API).
    pub fn dynamic(mut self) -> Self {
        self.segment_type = SegmentType::Dynamic;
        self
    }

    /// Sets the status.
    pub fn status(mut self, status: SegmentStatus) -> Self {
        self.status = status;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_types_parse_from_their_api_names() {
        assert_eq!(
            LabelType::from_name("multiSelection"),
            Some(LabelType::MultiSelection)
        );
        assert_eq!(LabelType::from_name("text"), None);
    }
}
