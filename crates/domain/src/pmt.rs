//! Proxy-means-test models (spec: pmt-model.md): the model file, its validation, the
//! derived household variables, scoring with per-term explanations, and the ranking
//! formulas. Pure: the batch engine feeds it values and sorts.

use serde_json::Value as Json;

use crate::codes::{Disability, EducationLevel, Relation, Sector, Sex};
use crate::registry::{Household, Kind, Member, Value, HOUSEHOLD_COLUMNS};
use crate::{Date, RegionCode};

/// A variable computed from a household's members (pmt-model.md, "Variables").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Derived {
    HhSize,
    LogHhSize,
    DependencyRatio,
    ShareWorking,
    FloorAreaPerCapita,
    HeadAge,
    HeadFemale,
    HeadEducation,
    HeadSector,
    HeadWorking,
    Children0To6,
    Children7To18,
    Elderly60,
    DisabledMembers,
    MaxEducation,
}

impl Derived {
    pub const ALL: [Derived; 15] = [
        Derived::HhSize,
        Derived::LogHhSize,
        Derived::DependencyRatio,
        Derived::ShareWorking,
        Derived::FloorAreaPerCapita,
        Derived::HeadAge,
        Derived::HeadFemale,
        Derived::HeadEducation,
        Derived::HeadSector,
        Derived::HeadWorking,
        Derived::Children0To6,
        Derived::Children7To18,
        Derived::Elderly60,
        Derived::DisabledMembers,
        Derived::MaxEducation,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Derived::HhSize => "hh_size",
            Derived::LogHhSize => "log_hh_size",
            Derived::DependencyRatio => "dependency_ratio",
            Derived::ShareWorking => "share_working",
            Derived::FloorAreaPerCapita => "floor_area_per_capita",
            Derived::HeadAge => "head_age",
            Derived::HeadFemale => "head_female",
            Derived::HeadEducation => "head_education",
            Derived::HeadSector => "head_sector",
            Derived::HeadWorking => "head_working",
            Derived::Children0To6 => "children_0_6",
            Derived::Children7To18 => "children_7_18",
            Derived::Elderly60 => "elderly_60",
            Derived::DisabledMembers => "disabled_members",
            Derived::MaxEducation => "max_education",
        }
    }
}

/// A model variable: a household column (by index into [`HOUSEHOLD_COLUMNS`]) or a
/// derived one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variable {
    Column(usize),
    Derived(Derived),
}

impl Variable {
    pub fn parse(name: &str) -> Option<Variable> {
        if let Some(i) = HOUSEHOLD_COLUMNS.iter().position(|c| c.name == name) {
            return Some(Variable::Column(i));
        }
        Derived::ALL
            .iter()
            .find(|d| d.name() == name)
            .map(|d| Variable::Derived(*d))
    }

    pub fn name(self) -> &'static str {
        match self {
            Variable::Column(i) => HOUSEHOLD_COLUMNS[i].name,
            Variable::Derived(d) => d.name(),
        }
    }

    /// Categorical variables take `levels`, numeric ones a `coef` (booleans are 0/1).
    pub fn is_categorical(self) -> bool {
        match self {
            Variable::Column(i) => matches!(HOUSEHOLD_COLUMNS[i].kind, Kind::Text | Kind::Date),
            Variable::Derived(d) => matches!(
                d,
                Derived::HeadEducation | Derived::HeadSector | Derived::MaxEducation
            ),
        }
    }

    /// The closed set of levels of an enumerated variable; `None` for free text.
    pub fn levels(self) -> Option<Vec<&'static str>> {
        let codes: &[&str] = match self {
            Variable::Derived(Derived::HeadEducation | Derived::MaxEducation) => {
                EducationLevel::CODES
            }
            Variable::Derived(Derived::HeadSector) => {
                let mut v = Sector::CODES.to_vec();
                v.push("none");
                return Some(v);
            }
            // exit_state is never a model level: exited households are not ranked.
            Variable::Column(i) => match HOUSEHOLD_COLUMNS[i].name {
                "exit_state" => return None,
                name => crate::codes::column_codes(name)?,
            },
            Variable::Derived(_) => return None,
        };
        Some(codes.to_vec())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum TermKind {
    Coef(f64),
    /// Level → coefficient; a level not listed adds 0.
    Levels(Vec<(String, f64)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub var: Variable,
    pub kind: TermKind,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// `None` for the default segment.
    pub prefix: Option<RegionCode>,
    pub intercept: f64,
    pub terms: Vec<Term>,
}

impl Segment {
    /// The name printed in ranks.csv: the prefix, or `default`.
    pub fn label(&self) -> &str {
        self.prefix.as_ref().map_or("default", |p| p.as_str())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub id: String,
    pub version: i64,
    pub as_of: Date,
    pub default: Segment,
    pub segments: Vec<Segment>,
    /// Region prefix → effect, coarsest first.
    pub region_effects: Vec<(RegionCode, f64)>,
}

/// A model file that cannot be used, with the place (a JSON path) and why.
pub type ModelError = crate::jsonfile::PlaceError;

use crate::jsonfile::err;

fn number(v: Option<&Json>, place: &str) -> Result<f64, ModelError> {
    match v {
        None => Err(err(place, "missing")),
        Some(Json::Number(n)) => match n.as_f64() {
            Some(x) if x.is_finite() => Ok(x),
            _ => Err(err(place, format!("{n} is not a finite number"))),
        },
        Some(other) => Err(err(place, format!("expected a number, found {other}"))),
    }
}

fn region_prefix(s: &str, place: &str) -> Result<RegionCode, ModelError> {
    RegionCode::parse(s).map_err(|e| err(place, format!("{s:?} is not a region code: {e}")))
}

fn segment(v: &Json, place: &str, prefixed: bool) -> Result<Segment, ModelError> {
    let Json::Object(o) = v else {
        return Err(err(place, "expected an object"));
    };
    let prefix = if prefixed {
        let p = format!("{place}.region_prefix");
        match o.get("region_prefix") {
            Some(Json::String(s)) => Some(region_prefix(s, &p)?),
            Some(_) => return Err(err(p, "expected a string")),
            None => return Err(err(p, "missing")),
        }
    } else {
        None
    };
    let intercept = number(o.get("intercept"), &format!("{place}.intercept"))?;
    let Some(Json::Array(terms_json)) = o.get("terms") else {
        return Err(err(format!("{place}.terms"), "expected a list of terms"));
    };
    let mut terms = Vec::with_capacity(terms_json.len());
    for (i, t) in terms_json.iter().enumerate() {
        let tp = format!("{place}.terms[{i}]");
        let Json::Object(t) = t else {
            return Err(err(tp, "expected an object"));
        };
        let name = match t.get("var") {
            Some(Json::String(s)) => s.as_str(),
            _ => return Err(err(format!("{tp}.var"), "missing variable name")),
        };
        let var = Variable::parse(name)
            .ok_or_else(|| err(format!("{tp}.var"), format!("unknown variable {name:?}")))?;
        let kind = match (t.get("coef"), t.get("levels")) {
            (Some(_), Some(_)) => return Err(err(tp, "give either coef or levels, not both")),
            (Some(c), None) => {
                if var.is_categorical() {
                    return Err(err(
                        format!("{tp}.coef"),
                        format!("{name} is categorical: give levels"),
                    ));
                }
                TermKind::Coef(number(Some(c), &format!("{tp}.coef"))?)
            }
            (None, Some(Json::Object(levels))) => {
                if !var.is_categorical() {
                    return Err(err(
                        format!("{tp}.levels"),
                        format!("{name} is numeric: give coef"),
                    ));
                }
                let mut out = Vec::with_capacity(levels.len());
                for (level, c) in levels {
                    let lp = format!("{tp}.levels.{level}");
                    out.push((level.clone(), number(Some(c), &lp)?));
                }
                TermKind::Levels(out)
            }
            (None, Some(_)) => {
                return Err(err(format!("{tp}.levels"), "expected an object"));
            }
            (None, None) => return Err(err(tp, "give coef or levels")),
        };
        terms.push(Term { var, kind });
    }
    Ok(Segment {
        prefix,
        intercept,
        terms,
    })
}

impl Model {
    /// Parses and validates a model file.
    pub fn from_json(text: &str) -> Result<Model, ModelError> {
        let o = &crate::jsonfile::object(text, "a model file")?;
        let id = match o.get("id") {
            Some(Json::String(s)) if !s.trim().is_empty() => s.clone(),
            _ => return Err(err("id", "missing or empty")),
        };
        let version = crate::jsonfile::version(o)?;
        let as_of = match o.get("as_of") {
            Some(Json::String(s)) => {
                Date::parse(s).map_err(|e| err("as_of", format!("{s:?}: {e}")))?
            }
            _ => return Err(err("as_of", "expected a date YYYY-MM-DD")),
        };
        let default = segment(
            o.get("default").ok_or_else(|| err("default", "missing"))?,
            "default",
            false,
        )?;
        let mut segments: Vec<Segment> = Vec::new();
        match o.get("segments") {
            None | Some(Json::Null) => {}
            Some(Json::Array(list)) => {
                for (i, s) in list.iter().enumerate() {
                    let place = format!("segments[{i}]");
                    let seg = segment(s, &place, true)?;
                    if let Some(j) = segments.iter().position(|x| x.prefix == seg.prefix) {
                        return Err(err(
                            format!("{place}.region_prefix"),
                            format!("duplicate segment: segments[{j}] has the same prefix"),
                        ));
                    }
                    segments.push(seg);
                }
            }
            Some(_) => return Err(err("segments", "expected a list")),
        }
        let mut region_effects = Vec::new();
        match o.get("region_effects") {
            None | Some(Json::Null) => {}
            Some(Json::Object(m)) => {
                for (k, v) in m {
                    let place = format!("region_effects.{k}");
                    region_effects.push((region_prefix(k, &place)?, number(Some(v), &place)?));
                }
            }
            Some(_) => return Err(err("region_effects", "expected an object")),
        }
        region_effects.sort_by(|a, b| {
            a.0.as_str()
                .len()
                .cmp(&b.0.as_str().len())
                .then(a.0.cmp(&b.0))
        });
        Ok(Model {
            id,
            version,
            as_of,
            default,
            segments,
            region_effects,
        })
    }

    /// Index of the segment for a household in `region` (longest matching prefix);
    /// `None`: the default.
    pub fn segment_for(&self, region: &str) -> Option<usize> {
        self.segments
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                s.prefix
                    .as_ref()
                    .is_some_and(|p| is_prefix(p.as_str(), region))
            })
            .max_by_key(|(_, s)| s.prefix.as_ref().map_or(0, |p| p.as_str().len()))
            .map(|(i, _)| i)
    }

    pub fn segment(&self, index: Option<usize>) -> &Segment {
        index.map_or(&self.default, |i| &self.segments[i])
    }

    /// Sum of the region effects whose key is a prefix of `region`.
    pub fn region_effect(&self, region: &str) -> f64 {
        self.region_effects
            .iter()
            .filter(|(p, _)| is_prefix(p.as_str(), region))
            .map(|(_, e)| e)
            .sum()
    }

    /// What is legal but surely a mistake: a level of an enumerated variable that no
    /// household can have (it never matches, so it adds nothing), named by its place.
    pub fn warnings(&self) -> Vec<ModelError> {
        let mut out = Vec::new();
        let segments = std::iter::once(("default".to_string(), &self.default)).chain(
            self.segments
                .iter()
                .enumerate()
                .map(|(i, s)| (format!("segments[{i}]"), s)),
        );
        for (place, seg) in segments {
            for (i, t) in seg.terms.iter().enumerate() {
                let (TermKind::Levels(levels), Some(known)) = (&t.kind, t.var.levels()) else {
                    continue;
                };
                for (level, _) in levels {
                    if !known.contains(&level.as_str()) {
                        out.push(err(
                            format!("{place}.terms[{i}].levels.{level}"),
                            format!(
                                "no household can have level {level:?} of {} (levels: {}): it adds nothing",
                                t.var.name(),
                                known.join(", ")
                            ),
                        ));
                    }
                }
            }
        }
        out
    }

    /// Every variable some segment uses, once, in first-use order.
    pub fn variables(&self) -> Vec<Variable> {
        let mut out: Vec<Variable> = Vec::new();
        for s in std::iter::once(&self.default).chain(&self.segments) {
            for t in &s.terms {
                if !out.contains(&t.var) {
                    out.push(t.var);
                }
            }
        }
        out
    }
}

impl Model {
    /// The model file (pmt-model.md), pretty-printed; reads back to an equal model.
    pub fn to_json(&self) -> String {
        use serde_json::{json, Map};
        let seg = |s: &Segment| {
            let terms: Vec<Json> = s
                .terms
                .iter()
                .map(|t| match &t.kind {
                    TermKind::Coef(c) => json!({"var": t.var.name(), "coef": c}),
                    TermKind::Levels(l) => {
                        let m: Map<String, Json> =
                            l.iter().map(|(k, c)| (k.clone(), json!(c))).collect();
                        json!({"var": t.var.name(), "levels": m})
                    }
                })
                .collect();
            let mut o = Map::new();
            if let Some(p) = &s.prefix {
                o.insert("region_prefix".into(), json!(p.as_str()));
            }
            o.insert("intercept".into(), json!(s.intercept));
            o.insert("terms".into(), Json::Array(terms));
            Json::Object(o)
        };
        let effects: Map<String, Json> = self
            .region_effects
            .iter()
            .map(|(p, e)| (p.as_str().to_string(), json!(e)))
            .collect();
        let v = json!({
            "id": self.id,
            "version": self.version,
            "as_of": self.as_of.to_string(),
            "default": seg(&self.default),
            "segments": self.segments.iter().map(seg).collect::<Vec<_>>(),
            "region_effects": effects,
        });
        serde_json::to_string_pretty(&v).unwrap_or_default()
    }
}

/// `prefix` is `region` or an ancestor of it (prefixes end at a `.`).
pub fn is_prefix(prefix: &str, region: &str) -> bool {
    region.starts_with(prefix)
        && (region.len() == prefix.len() || region.as_bytes()[prefix.len()] == b'.')
}

/// A variable's value for one household: numeric, a level, or unknown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VarValue<'a> {
    Num(f64),
    Level(&'a str),
    Null,
}

/// One term's part of a score, for explanations.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Contribution {
    pub var: &'static str,
    /// The household's value as text (empty when unknown).
    pub value: String,
    pub amount: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub segment: Option<usize>,
    /// Rounded to 6 decimals.
    pub score: f64,
    /// A numeric term met an unknown value (it added 0).
    pub imputed: bool,
}

/// Rounds to 6 decimal places, half away from zero.
pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

impl Segment {
    /// Intercept + terms, unrounded, and whether a numeric term was unknown. `value`
    /// gives each term's variable value; `explain` receives each term's contribution.
    pub fn sum<'a>(
        &self,
        mut value: impl FnMut(Variable) -> VarValue<'a>,
        mut explain: Option<&mut Vec<Contribution>>,
    ) -> (f64, bool) {
        let mut s = self.intercept;
        let mut imputed = false;
        for t in &self.terms {
            let v = value(t.var);
            let amount = match (&t.kind, v) {
                (TermKind::Coef(c), VarValue::Num(x)) => c * x,
                (TermKind::Coef(_), _) => {
                    imputed = true;
                    0.0
                }
                (TermKind::Levels(levels), VarValue::Level(l)) => {
                    levels.iter().find(|(k, _)| k == l).map_or(0.0, |(_, c)| *c)
                }
                (TermKind::Levels(_), _) => 0.0,
            };
            s += amount;
            if let Some(out) = explain.as_deref_mut() {
                out.push(Contribution {
                    var: t.var.name(),
                    value: match v {
                        VarValue::Num(x) => format!("{x}"),
                        VarValue::Level(l) => l.to_string(),
                        VarValue::Null => String::new(),
                    },
                    amount,
                });
            }
        }
        (s, imputed)
    }
}

impl Model {
    /// Scores one household in `region`.
    pub fn score<'a>(&self, region: &str, value: impl FnMut(Variable) -> VarValue<'a>) -> Scored {
        let seg = self.segment_for(region);
        let (s, imputed) = self.segment(seg).sum(value, None);
        Scored {
            segment: seg,
            score: round6(s + self.region_effect(region)),
            imputed,
        }
    }
}

/// A household's score term by term: why it is where it is in the ranking.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Explanation {
    pub model_id: String,
    pub model_version: i64,
    /// The segment's region prefix, or `default`.
    pub segment: String,
    pub intercept: f64,
    pub terms: Vec<Contribution>,
    /// Each region effect whose key is a prefix of the household's region.
    pub region_effects: Vec<(String, f64)>,
    /// Rounded to 6 decimals; `None` when the household cannot be scored.
    pub score: Option<f64>,
    pub predicted_consumption: Option<f64>,
    pub imputed: bool,
    pub unscorable: Option<Unscorable>,
}

impl MemberFacts {
    /// A member as the derived variables see it, with ages at `as_of`.
    pub fn of(m: &Member, as_of: Date) -> MemberFacts {
        MemberFacts {
            head: m.relation == Relation::Head,
            age: age_years(m.birth_date, as_of),
            female: m.sex == Sex::F,
            working: m.working,
            sector: m.sector,
            education: m.education_level,
            disabled: m.disability != Disability::None,
        }
    }
}

impl Model {
    /// Scores one household from its stored record, term by term. Members with an exit
    /// state do not count (as in the batch engine); neither does the household's own
    /// exit state: the caller decides whether an exited household is shown.
    pub fn explain(&self, household: &Household, members: &[Member]) -> Explanation {
        let mut stats = MemberStats::default();
        for m in members.iter().filter(|m| m.exit.is_none()) {
            stats.add(&MemberFacts::of(m, self.as_of));
        }
        let values = household.values();
        let texts: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        let floor_area = HOUSEHOLD_COLUMNS
            .iter()
            .position(|c| c.name == "floor_area_m2")
            .and_then(|i| match values[i] {
                Value::Real(x) => Some(x),
                Value::Int(x) => Some(x as f64),
                _ => None,
            });
        let value = |v: Variable| match v {
            Variable::Derived(d) => stats.value(d, floor_area),
            Variable::Column(i) => match &values[i] {
                Value::Null => VarValue::Null,
                Value::Int(x) => VarValue::Num(*x as f64),
                Value::Real(x) => VarValue::Num(*x),
                Value::Bool(b) => VarValue::Num(*b as u8 as f64),
                Value::Text(_) | Value::Date(_) => VarValue::Level(texts[i].as_str()),
            },
        };
        let region = household.region.as_str();
        let seg_index = self.segment_for(region);
        let seg = self.segment(seg_index);
        let mut terms = Vec::with_capacity(seg.terms.len());
        let (sum, imputed) = seg.sum(value, Some(&mut terms));
        let region_effects: Vec<(String, f64)> = self
            .region_effects
            .iter()
            .filter(|(p, _)| is_prefix(p.as_str(), region))
            .map(|(p, e)| (p.as_str().to_string(), *e))
            .collect();
        let unscorable = stats.unscorable();
        // The same sum, in the same order, as the batch engine: equal to the last bit.
        let score = round6(sum + self.region_effect(region));
        Explanation {
            model_id: self.id.clone(),
            model_version: self.version,
            segment: seg.label().to_string(),
            intercept: seg.intercept,
            terms,
            region_effects,
            score: unscorable.is_none().then_some(score),
            predicted_consumption: unscorable.is_none().then(|| score.exp()),
            imputed,
            unscorable,
        }
    }
}

/// Whole years from `birth` to `at`: the difference of the years, less one when the
/// birthday falls after `at` in the year.
pub fn age_years(birth: Date, at: Date) -> i32 {
    let (b, a) = (birth.inner(), at.inner());
    let mut years = a.year() - b.year();
    if (b.month() as u8, b.day()) > (a.month() as u8, a.day()) {
        years -= 1;
    }
    years
}

/// What a household's members contribute to the derived variables, accumulated one
/// member at a time (members may arrive in any order).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MemberStats {
    pub size: u32,
    pub young: u32,
    pub old: u32,
    pub working_age: u32,
    pub working: u32,
    pub children_0_6: u32,
    pub children_7_18: u32,
    pub elderly_60: u32,
    pub disabled: u32,
    /// Index into [`EducationLevel::CODES`] of the highest level, +1; 0: none yet.
    pub max_education: u8,
    /// Members whose relation is `head` (saturating).
    pub heads: u8,
    pub head: Option<HeadFacts>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeadFacts {
    pub age: i32,
    pub female: bool,
    pub education: EducationLevel,
    /// `None` when the head does not work.
    pub sector: Option<Sector>,
    pub working: bool,
}

/// One member as the derived variables see it.
#[derive(Debug, Clone, Copy)]
pub struct MemberFacts {
    pub head: bool,
    pub age: i32,
    pub female: bool,
    pub working: bool,
    pub sector: Option<Sector>,
    pub education: EducationLevel,
    pub disabled: bool,
}

impl MemberStats {
    pub fn add(&mut self, m: &MemberFacts) {
        self.size += 1;
        match m.age {
            a if a < 15 => self.young += 1,
            a if a >= 65 => self.old += 1,
            _ => self.working_age += 1,
        }
        if (0..=6).contains(&m.age) {
            self.children_0_6 += 1;
        }
        if (7..=18).contains(&m.age) {
            self.children_7_18 += 1;
        }
        if m.age >= 60 {
            self.elderly_60 += 1;
        }
        self.working += m.working as u32;
        self.disabled += m.disabled as u32;
        let edu = EducationLevel::ALL
            .iter()
            .position(|e| *e == m.education)
            .unwrap_or(0) as u8
            + 1;
        self.max_education = self.max_education.max(edu);
        if m.head {
            self.heads = self.heads.saturating_add(1);
            self.head = Some(HeadFacts {
                age: m.age,
                female: m.female,
                education: m.education,
                sector: if m.working { m.sector } else { None },
                working: m.working,
            });
        }
    }

    /// Why the household cannot be scored, if it cannot: its derived variables would be
    /// made up (issue #3: listed, never ranked).
    pub fn unscorable(&self) -> Option<Unscorable> {
        match (self.size, self.heads) {
            (0, _) => Some(Unscorable::NoMembers),
            (_, 0) => Some(Unscorable::NoHead),
            (_, 1) => None,
            _ => Some(Unscorable::SeveralHeads),
        }
    }

    /// The value of a derived variable; `floor_area` is the household's floor_area_m2.
    pub fn value(&self, d: Derived, floor_area: Option<f64>) -> VarValue<'static> {
        let n = self.size as f64;
        let per_member = |x: f64| {
            if self.size == 0 {
                VarValue::Null
            } else {
                VarValue::Num(x / n)
            }
        };
        let head = self.head.as_ref();
        match d {
            Derived::HhSize => VarValue::Num(n),
            Derived::LogHhSize => {
                if self.size == 0 {
                    VarValue::Null
                } else {
                    VarValue::Num(n.ln())
                }
            }
            Derived::DependencyRatio => {
                VarValue::Num((self.young + self.old) as f64 / (self.working_age.max(1)) as f64)
            }
            Derived::ShareWorking => per_member(self.working as f64),
            Derived::FloorAreaPerCapita => match floor_area {
                Some(a) => per_member(a),
                None => VarValue::Null,
            },
            Derived::HeadAge => head.map_or(VarValue::Null, |h| VarValue::Num(h.age as f64)),
            Derived::HeadFemale => {
                head.map_or(VarValue::Null, |h| VarValue::Num(h.female as u8 as f64))
            }
            Derived::HeadWorking => {
                head.map_or(VarValue::Null, |h| VarValue::Num(h.working as u8 as f64))
            }
            Derived::HeadEducation => {
                head.map_or(VarValue::Null, |h| VarValue::Level(h.education.code()))
            }
            Derived::HeadSector => head.map_or(VarValue::Null, |h| match (h.working, h.sector) {
                (false, _) => VarValue::Level("none"),
                (true, Some(s)) => VarValue::Level(s.code()),
                (true, None) => VarValue::Null,
            }),
            Derived::Children0To6 => VarValue::Num(self.children_0_6 as f64),
            Derived::Children7To18 => VarValue::Num(self.children_7_18 as f64),
            Derived::Elderly60 => VarValue::Num(self.elderly_60 as f64),
            Derived::DisabledMembers => VarValue::Num(self.disabled as f64),
            Derived::MaxEducation => match self.max_education {
                0 => VarValue::Null,
                k => VarValue::Level(EducationLevel::CODES[k as usize - 1]),
            },
        }
    }
}

/// Why a household has no score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unscorable {
    /// No member without an exit state.
    NoMembers,
    /// Members, but none is the head.
    NoHead,
    /// More than one head.
    SeveralHeads,
}

impl Unscorable {
    pub fn code(self) -> &'static str {
        match self {
            Unscorable::NoMembers => "no_members",
            Unscorable::NoHead => "no_head",
            Unscorable::SeveralHeads => "several_heads",
        }
    }
}

/// `ceil(buckets × rank / n)`: the percentile (100) or decile (10) of the `rank`-th of
/// `n` (1-based).
pub fn bucket(rank: u64, n: u64, buckets: u64) -> u64 {
    (buckets * rank).div_ceil(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: &str = r#"{
      "id": "m", "version": 2, "as_of": "2026-01-01",
      "default": {"intercept": 13.0, "terms": [
        {"var": "log_hh_size", "coef": -0.4},
        {"var": "floor_type", "levels": {"earth": -0.15}},
        {"var": "electricity_va", "coef": 0.0001}
      ]},
      "segments": [
        {"region_prefix": "91", "intercept": 13.5, "terms": []},
        {"region_prefix": "91.01", "intercept": 12.5, "terms": []}
      ],
      "region_effects": {"33.01": -0.02, "33": 0.05}
    }"#;

    fn model() -> Model {
        Model::from_json(MODEL).unwrap()
    }

    #[test]
    fn longest_prefix_segment_and_all_region_effects() {
        let m = model();
        assert_eq!(m.segment_for("91.01.02.2001"), Some(1));
        assert_eq!(m.segment_for("91.02.02.2001"), Some(0));
        assert_eq!(m.segment_for("33.01.02.2001"), None);
        // A prefix ends at a dot: 91.0 is not a prefix of 91.01.
        assert!(!is_prefix("33.0", "33.01"));
        assert!((m.region_effect("33.01.02.2001") - 0.03).abs() < 1e-12);
        assert_eq!(m.region_effect("34.01.02.2001"), 0.0);
    }

    #[test]
    fn score_adds_terms_flags_unknown_numbers_and_rounds() {
        let m = model();
        let s = m.score("33.02.01.2001", |v| match v.name() {
            "log_hh_size" => VarValue::Num(4f64.ln()),
            "floor_type" => VarValue::Level("earth"),
            _ => VarValue::Null,
        });
        let want = round6(13.0 - 0.4 * 4f64.ln() - 0.15 + 0.05);
        assert_eq!(s.score, want);
        assert!(s.imputed, "electricity_va unknown");
        let s = m.score("33.02.01.2001", |v| match v.name() {
            "log_hh_size" => VarValue::Num(0.0),
            "floor_type" => VarValue::Level("ceramic"),
            _ => VarValue::Num(900.0),
        });
        assert_eq!(s.score, round6(13.0 + 0.09 + 0.05));
        assert!(!s.imputed, "an unlisted level adds 0 without imputation");
    }

    #[test]
    fn model_files_round_trip() {
        let m = model();
        assert_eq!(Model::from_json(&m.to_json()).unwrap(), m);
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round6(1.0000005), 1.000001);
        assert_eq!(round6(-1.0000005), -1.000001);
        assert_eq!(round6(2.0000004), 2.0);
    }

    #[test]
    fn bad_models_name_the_place() {
        let cases = [
            (
                MODEL.replace("log_hh_size", "log_size"),
                "default.terms[0].var",
            ),
            (
                MODEL.replace("\"91.01\"", "\"91\""),
                "segments[1].region_prefix",
            ),
            (
                MODEL.replace("\"33\": 0.05", "\"3x\": 0.05"),
                "region_effects.3x",
            ),
            (MODEL.replace("-0.4}", "1e999}"), "line"),
            (MODEL.replace("\"version\": 2", "\"version\": 0"), "version"),
            (
                MODEL.replace(
                    "{\"var\": \"floor_type\", \"levels\"",
                    "{\"var\": \"floor_type\", \"coef\"",
                ),
                "default.terms[1].coef",
            ),
        ];
        for (text, place) in cases {
            let e = Model::from_json(&text).unwrap_err();
            assert!(e.place.starts_with(place), "{place}: {e}");
        }
    }

    #[test]
    fn impossible_levels_warn_and_add_nothing() {
        let m = Model::from_json(&MODEL.replace("\"earth\"", "\"mud\"")).unwrap();
        let w = m.warnings();
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].place, "default.terms[1].levels.mud");
        assert!(w[0].reason.contains("earth"), "{}", w[0]);
        assert!(model().warnings().is_empty());
    }

    #[test]
    fn households_without_members_or_one_head_are_unscorable() {
        let facts = |head| MemberFacts {
            head,
            age: 30,
            female: false,
            working: true,
            sector: None,
            education: EducationLevel::ALL[0],
            disabled: false,
        };
        let mut s = MemberStats::default();
        assert_eq!(s.unscorable(), Some(Unscorable::NoMembers));
        s.add(&facts(false));
        assert_eq!(s.unscorable(), Some(Unscorable::NoHead));
        s.add(&facts(true));
        assert_eq!(s.unscorable(), None);
        s.add(&facts(true));
        assert_eq!(s.unscorable(), Some(Unscorable::SeveralHeads));
    }

    #[test]
    fn ages_count_whole_years_at_the_date() {
        let d = |s| Date::parse(s).unwrap();
        assert_eq!(age_years(d("2000-01-01"), d("2026-01-01")), 26);
        assert_eq!(age_years(d("2000-01-02"), d("2026-01-01")), 25);
        // Leap-day births turn a year older on 1 March in common years.
        assert_eq!(age_years(d("2020-02-29"), d("2025-02-28")), 4);
        assert_eq!(age_years(d("2020-02-29"), d("2025-03-01")), 5);
    }

    #[test]
    fn derived_variables() {
        let mut s = MemberStats::default();
        let m = |head, age, working| MemberFacts {
            head,
            age,
            female: head,
            working,
            sector: working.then_some(Sector::Trade),
            education: if head {
                EducationLevel::Sma
            } else {
                EducationLevel::Sd
            },
            disabled: false,
        };
        s.add(&m(true, 40, true));
        s.add(&m(false, 3, false));
        s.add(&m(false, 70, false));
        assert_eq!(s.value(Derived::HhSize, None), VarValue::Num(3.0));
        assert_eq!(s.value(Derived::DependencyRatio, None), VarValue::Num(2.0));
        assert_eq!(s.value(Derived::HeadSector, None), VarValue::Level("trade"));
        assert_eq!(s.value(Derived::MaxEducation, None), VarValue::Level("sma"));
        assert_eq!(
            s.value(Derived::FloorAreaPerCapita, Some(30.0)),
            VarValue::Num(10.0)
        );
        assert_eq!(s.value(Derived::Children0To6, None), VarValue::Num(1.0));
        assert_eq!(s.value(Derived::Elderly60, None), VarValue::Num(1.0));
        let empty = MemberStats::default();
        assert_eq!(empty.value(Derived::LogHhSize, None), VarValue::Null);
        assert_eq!(empty.value(Derived::HeadAge, None), VarValue::Null);
    }

    #[test]
    fn buckets_are_ceilings() {
        assert_eq!(bucket(1, 600, 10), 1);
        assert_eq!(bucket(60, 600, 10), 1);
        assert_eq!(bucket(61, 600, 10), 2);
        assert_eq!(bucket(600, 600, 100), 100);
        assert_eq!(bucket(1, 1, 10), 10);
    }
}
