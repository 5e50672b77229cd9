//! One spelling per concept: checks over the OpenAPI document that flag two
//! names for one thing where a rule can see it. Each check is also run on
//! a small document holding the drift it exists to catch (the renames in
//! the README's changelog), so none of them can pass by seeing nothing.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

fn committed() -> Value {
    let path = format!("{}/openapi/openapi.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("openapi/openapi.json is committed");
    serde_json::from_str(&text).expect("openapi/openapi.json is JSON")
}

/// Members that name a thing to people; the `id` is the one member a
/// reference may carry beside it (`model_id`, `tenant_id`).
const IDENTITY_MEMBERS: [&str; 3] = ["slug", "code", "name"];

/// Suffixes that give a number its unit; a name with and without one of
/// them is one quantity spelled two ways.
const UNIT_SUFFIXES: [&str; 5] = ["per_mtok", "tokens", "window", "ms", "bytes"];

/// Schemas that are a request's and a response's view of one thing without
/// being named `X` and `XInput` or `XPatch`.
const INPUT_OUTPUT_PAIRS: [(&str, &str); 3] = [
    ("ScopeInput", "ScopeView"),
    ("OfferInput", "ModelOffer"),
    ("ScheduledPriceInput", "Price"),
];

/// Facets a filter of another name selects: a price band is chosen by its
/// upper bound.
const FACETS_FED_BY: [(&str, &str); 1] = [("input_price_band", "max_input_price_per_mtok")];

/// Path parameters that are a natural key rather than a UUID.
const NATURAL_KEYS: [(&str, &str); 2] = [("models", "id_or_slug"), ("currency-rates", "currency")];

fn schemas(doc: &Value) -> BTreeMap<String, Value> {
    doc["components"]["schemas"]
        .as_object()
        .map(|all| all.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

fn members(schema: &Value) -> BTreeMap<String, Value> {
    schema["properties"]
        .as_object()
        .map(|all| all.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

fn schema_named<'a>(doc: &'a Value, reference: &str) -> Option<(&'a str, &'a Value)> {
    let name = reference.strip_prefix("#/components/schemas/")?;
    let (key, schema) = doc["components"]["schemas"].as_object()?.get_key_value(name)?;
    Some((key.as_str(), schema))
}

/// `RecommendedOperator` -> ["recommended_operator", "operator"].
fn snake_names(schema_name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for c in schema_name.chars() {
        if c.is_ascii_uppercase() || words.is_empty() {
            words.push(String::new());
        }
        words.last_mut().unwrap().push(c.to_ascii_lowercase());
    }
    let mut names = vec![words.join("_")];
    if words.len() > 1 {
        names.push(words.last().unwrap().clone());
    }
    names
}

/// A member's shape, nullability aside: `string`, `string(uuid)`,
/// `array<...>`, `object:Schema`, `integer`...
fn shape(doc: &Value, member: &Value) -> String {
    if let Some(reference) = member["$ref"].as_str() {
        return match schema_named(doc, reference) {
            Some((name, schema)) if schema["enum"].is_array() => format!("enum:{name}"),
            Some((name, _)) => format!("object:{name}"),
            None => format!("object:{reference}"),
        };
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = member[combinator].as_array() {
            if let Some(inner) = options.iter().find(|o| o["type"] != "null") {
                return shape(doc, inner);
            }
        }
    }
    let kind = match &member["type"] {
        Value::String(kind) => kind.clone(),
        Value::Array(kinds) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|k| *k != "null")
            .unwrap_or("null")
            .to_owned(),
        _ => "any".to_owned(),
    };
    match (kind.as_str(), member["format"].as_str()) {
        ("array", _) => format!("array<{}>", shape(doc, &member["items"])),
        ("string", Some(format)) => format!("string({format})"),
        _ => kind,
    }
}

/// The schema a shape names, when it is an object.
fn object_of<'a>(doc: &'a Value, shape: &str) -> Option<(&'a str, &'a Value)> {
    let name = shape
        .trim_start_matches("array<")
        .trim_end_matches('>')
        .strip_prefix("object:")?;
    schema_named(doc, &format!("#/components/schemas/{name}"))
}

/// A request and a response describe one member alike when their shapes
/// are equal, when both are the request and response views of one thing,
/// or when the request names by its slug, name or id what the response
/// shows whole (`operator: "Microsoft Azure"` and `operator: {name, ...}`).
fn agree(doc: &Value, pairs: &BTreeSet<(String, String)>, input: &str, output: &str) -> bool {
    if input == output {
        return true;
    }
    let unwrap = |s: &str| -> (bool, String) {
        match s.strip_prefix("array<").and_then(|s| s.strip_suffix('>')) {
            Some(inner) => (true, inner.to_owned()),
            None => (false, s.to_owned()),
        }
    };
    let (input_list, input_item) = unwrap(input);
    let (output_list, output_item) = unwrap(output);
    if input_list != output_list {
        return false;
    }
    if let (Some(i), Some(o)) = (input_item.strip_prefix("object:"), output_item.strip_prefix("object:")) {
        return pairs.contains(&(i.to_owned(), o.to_owned()));
    }
    input_item.starts_with("string")
        && object_of(doc, &output_item)
            .is_some_and(|(_, schema)| ["slug", "name", "id"].iter().any(|m| members(schema).contains_key(*m)))
}

fn input_output_pairs(doc: &Value) -> BTreeSet<(String, String)> {
    let all = schemas(doc);
    let mut pairs: BTreeSet<(String, String)> = INPUT_OUTPUT_PAIRS
        .iter()
        .filter(|(i, o)| all.contains_key(*i) && all.contains_key(*o))
        .map(|(i, o)| (i.to_string(), o.to_string()))
        .collect();
    for name in all.keys() {
        for suffix in ["Input", "Patch"] {
            if let Some(base) = name.strip_suffix(suffix) {
                if all.contains_key(base) {
                    pairs.insert((name.clone(), base.to_owned()));
                }
            }
        }
    }
    pairs
}

/// `S.model_slug` where `Model` has a `slug`: one listing named two ways
/// (embed the other schema, or refer to it by `model_id`).
fn flattened_identities(doc: &Value) -> Vec<String> {
    let all = schemas(doc);
    let mut found = Vec::new();
    for (name, schema) in &all {
        for member in members(schema).keys() {
            for (other, other_schema) in &all {
                if other == name {
                    continue;
                }
                let other_members = members(other_schema);
                for prefix in snake_names(other) {
                    for identity in IDENTITY_MEMBERS {
                        if other_members.contains_key(identity) && *member == format!("{prefix}_{identity}") {
                            found.push(format!("{name}.{member} flattens {other}.{identity}"));
                        }
                    }
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// What a request takes, its response gives back under the same name and
/// in the same shape (`reason` in, `proposal_reason` out; slugs in, UUIDs
/// out; `lifecycle_status` in, `lifecycle.status` out).
fn input_output_drift(doc: &Value) -> Vec<String> {
    let all = schemas(doc);
    let pairs = input_output_pairs(doc);
    let mut found = Vec::new();
    for (input, output) in &pairs {
        let output_members = members(&all[output]);
        for (member, value) in members(&all[input]) {
            match output_members.get(&member) {
                Some(shown) => {
                    let (taken, given) = (shape(doc, &value), shape(doc, shown));
                    if !agree(doc, &pairs, &taken, &given) {
                        found.push(format!("{input}.{member} is {taken} but {output}.{member} is {given}"));
                    }
                }
                None => {
                    for shown in output_members.keys() {
                        if shown.ends_with(&format!("_{member}")) {
                            found.push(format!("{input}.{member} comes back as {output}.{shown}"));
                        }
                    }
                    if let Some((head, tail)) = member.split_once('_') {
                        let nested = output_members
                            .get(head)
                            .and_then(|v| object_of(doc, &shape(doc, v)))
                            .is_some_and(|(_, schema)| members(schema).contains_key(tail));
                        if nested {
                            found.push(format!("{input}.{member} comes back as {output}.{head}.{tail}"));
                        }
                    }
                }
            }
        }
    }
    found
}

/// Every member and query parameter name.
fn all_names(doc: &Value) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = schemas(doc).values().flat_map(|s| members(s).into_keys()).collect();
    for operations in doc["paths"].as_object().into_iter().flat_map(|p| p.values()) {
        for operation in operations.as_object().into_iter().flat_map(|o| o.values()) {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                if parameter["in"] == "query" {
                    names.extend(parameter["name"].as_str().map(str::to_owned));
                }
            }
        }
    }
    names
}

/// `max_input_price` beside `max_input_price_per_mtok`: one quantity, with
/// and without its unit.
fn units_dropped(doc: &Value) -> Vec<String> {
    let names = all_names(doc);
    let mut found = Vec::new();
    for short in names.iter().filter(|n| n.contains('_')) {
        for unit in UNIT_SUFFIXES {
            let long = format!("{short}_{unit}");
            if names.contains(&long) {
                found.push(format!("{short} and {long}"));
            }
        }
    }
    found
}

/// Instants end in `_at` (or bound an interval: `_from`, `_to`), days in
/// `_date`, and nothing else does.
fn time_names(doc: &Value) -> Vec<String> {
    let mut found = Vec::new();
    for (name, schema) in schemas(doc) {
        for (member, value) in members(&schema) {
            let kind = shape(doc, &value);
            let instant_name = ["_at", "_from", "_to"].iter().any(|s| member.ends_with(s));
            let day_name = member.ends_with("_date");
            let wrong = match kind.as_str() {
                "string(date-time)" => !instant_name,
                "string(date)" => !day_name,
                _ => member.ends_with("_at") || day_name,
            };
            if wrong {
                found.push(format!("{name}.{member} is {kind}"));
            }
        }
    }
    found
}

/// A path parameter is the resource's own `id` only as the path's last
/// parameter; a parent is `{singular}_id`, as queries and bodies name it.
fn path_parameter_names(doc: &Value) -> Vec<String> {
    let mut found = Vec::new();
    for path in doc["paths"].as_object().into_iter().flat_map(|p| p.keys()) {
        let segments: Vec<&str> = path.split('/').collect();
        let parameters: Vec<usize> = (0..segments.len()).filter(|i| segments[*i].starts_with('{')).collect();
        for (n, &i) in parameters.iter().enumerate() {
            let name = segments[i].trim_matches(|c| c == '{' || c == '}');
            let collection = segments[i - 1];
            let parent_name = format!("{}_id", collection.trim_end_matches('s').replace('-', "_"));
            let last = n + 1 == parameters.len();
            let natural = NATURAL_KEYS.iter().any(|(c, key)| *c == collection && *key == name);
            let fine = name == parent_name || (last && (name == "id" || natural));
            if !fine {
                found.push(format!("{path}: {{{name}}} should be {{{parent_name}}}"));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Each discovery facet is named as the filter it feeds.
fn facets_without_their_filter(doc: &Value) -> Vec<String> {
    let filters: BTreeSet<String> = doc["paths"]["/v1/models"]["get"]["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect();
    members(&schemas(doc).get("DiscoveryFacets").cloned().unwrap_or_default())
        .into_keys()
        .filter(|facet| {
            let fed_by = FACETS_FED_BY
                .iter()
                .find(|(f, _)| f == facet)
                .map_or(facet.as_str(), |(_, by)| by);
            !filters.contains(fed_by)
        })
        .map(|facet| format!("facet {facet} has no filter of that name"))
        .collect()
}

fn drift(doc: &Value) -> Vec<String> {
    [
        flattened_identities(doc),
        input_output_drift(doc),
        units_dropped(doc),
        time_names(doc),
        path_parameter_names(doc),
        facets_without_their_filter(doc),
    ]
    .concat()
}

#[test]
fn the_api_spells_each_concept_one_way() {
    let found = drift(&committed());
    assert!(found.is_empty(), "two names for one concept:\n  {}", found.join("\n  "));
}

/// The drift the API had before its renames, as a document: every check
/// must see its part of it.
fn document_with_known_drift() -> Value {
    let uuid = json!({"type": "string", "format": "uuid"});
    let text = json!({"type": "string"});
    json!({
        "paths": {
            "/v1/models": {"get": {"parameters": [
                {"name": "max_input_price", "in": "query"},
                {"name": "publisher", "in": "query"}
            ]}},
            "/v1/tenants/{tid}/enablements/{id}": {"get": {"parameters": []}}
        },
        "components": {"schemas": {
            "Model": {"properties": {
                "id": uuid,
                "slug": text,
                "lifecycle": {"$ref": "#/components/schemas/Lifecycle"}
            }},
            "Region": {"properties": {"code": text}},
            "Recommendation": {"properties": {"model_id": uuid, "model_slug": text}},
            "TouchedEnablement": {"properties": {"region_code": text}},
            "Lifecycle": {"properties": {"status": text}},
            "HoldInput": {"properties": {"reason": text}},
            "Hold": {"properties": {
                "proposal_reason": text,
                "proposed": {"type": "string", "format": "date-time"}
            }},
            "ModelInput": {"properties": {"lifecycle_status": text}},
            "Policy": {"properties": {"max_input_price_per_mtok": text}},
            "ScopeInput": {"properties": {"models": {"type": "array", "items": text}}},
            "ScopeView": {"properties": {"models": {"type": "array", "items": uuid}}},
            "DiscoveryFacets": {"properties": {"publisher": {}, "modality_band": {}}}
        }}
    })
}

#[test]
fn each_naming_check_flags_the_drift_it_exists_for() {
    let doc = document_with_known_drift();
    let flattened = flattened_identities(&doc);
    assert!(flattened.contains(&"Recommendation.model_slug flattens Model.slug".to_owned()));
    assert!(flattened.contains(&"TouchedEnablement.region_code flattens Region.code".to_owned()));
    assert!(!flattened.iter().any(|f| f.contains("model_id")), "{flattened:?}");

    let drifted = input_output_drift(&doc);
    for expected in [
        "HoldInput.reason comes back as Hold.proposal_reason",
        "ModelInput.lifecycle_status comes back as Model.lifecycle.status",
        "ScopeInput.models is array<string> but ScopeView.models is array<string(uuid)>",
    ] {
        assert!(drifted.contains(&expected.to_owned()), "{expected} not in {drifted:?}");
    }

    assert_eq!(units_dropped(&doc), ["max_input_price and max_input_price_per_mtok"]);
    assert_eq!(time_names(&doc), ["Hold.proposed is string(date-time)"]);
    assert_eq!(
        path_parameter_names(&doc),
        ["/v1/tenants/{tid}/enablements/{id}: {tid} should be {tenant_id}"]
    );
    assert_eq!(
        facets_without_their_filter(&doc),
        ["facet modality_band has no filter of that name"]
    );
}

#[test]
fn a_reference_by_name_and_the_object_it_names_are_one_spelling() {
    let doc = json!({"components": {"schemas": {
        "EnablementInput": {"properties": {"operator": {"type": "string"}, "region": {"type": "string"}}},
        "Enablement": {"properties": {
            "operator": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/EnablementOperator"}]},
            "region": {"type": "string"}
        }},
        "EnablementOperator": {"properties": {"name": {"type": "string"}, "country": {"type": "string"}}}
    }}});
    assert_eq!(input_output_drift(&doc), Vec::<String>::new());
}
