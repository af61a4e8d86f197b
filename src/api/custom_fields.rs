//! `/api/v1/accounts/custom-fields` (list) and `/api/v1/accounts/custom-field` (create),
//! docs/api.md §4.

use crate::fidelity::jsvalue::JsObject;
use http::StatusCode;
use serde::Serialize;

use super::accounts::refusal;
use super::envelope::{Failure, Reply};
use super::{work, Call, Work};
use crate::data::model::{CustomField, LabelType};
use crate::fidelity::validate::{field, Presence, Validator, Violation};

/// A field as the API shows it: the stored field plus `objectType`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FieldView<'a> {
    key: &'a str,
    label: &'a str,
    label_type: LabelType,
    description: Option<&'a str>,
    options: &'a [String],
    object_type: &'static str,
    status: crate::data::model::FieldStatus,
}

impl<'a> From<&'a CustomField> for FieldView<'a> {
    fn from(field: &'a CustomField) -> Self {
        FieldView {
            key: &field.key,
            label: &field.label,
            label_type: field.label_type,
            description: field.description.as_deref(),
            options: &field.options,
            object_type: "accounts",
            status: field.status,
        }
    }
}

/// `GET /accounts/custom-fields`: active fields in creation order.
pub fn list<'r>(_call: &Call<'r>) -> Result<Work<'r>, Failure> {
    work(|tx| {
        let fields = tx.world.store.active_custom_fields(tx.team);
        let views: Vec<FieldView> = fields.iter().map(FieldView::from).collect();
        Ok(Reply::ok(&views))
    })
}

/// `POST /accounts/custom-field`: `201` with an array holding the new field.
pub fn create<'r>(call: &Call<'r>) -> Result<Work<'r>, Failure> {
    let body = call.json_object()?;
    let field = parse_create(&body).map_err(Failure::Violations)?;
    work(move |tx| {
        let created = tx
            .world
            .store
            .add_custom_field(tx.team, field)
            .map_err(refusal)?;
        Ok(Reply::new(
            StatusCode::CREATED,
            &[FieldView::from(&created)],
        ))
    })
}

fn parse_create(body: &JsObject) -> Result<CustomField, Vec<Violation>> {
    let mut v = Validator::new();
    let label = v.non_empty_string("label", field(body, "label"));
    let label_type = v
        .one_of("labelType", field(body, "labelType"), LabelType::NAMES)
        .and_then(LabelType::from_name);
    let description = v.optional_string("description", field(body, "description"));
    let selection = label_type.is_some_and(LabelType::is_selection);
    let (presence, min) = if selection {
        (Presence::Required, Some(1))
    } else {
        (Presence::Optional, None)
    };
    let options = v.string_array("options", field(body, "options"), presence, min);
    v.reject_unknown(body, &["label", "labelType", "description", "options"]);
    let mut created = CustomField::new(
        label.unwrap_or_default(),
        label_type.unwrap_or(LabelType::SingleLineText),
    );
    created.description = description.map(str::to_string);
    if selection {
        created = created.options(&options.unwrap_or_default());
    }
    v.finish(created)
}
