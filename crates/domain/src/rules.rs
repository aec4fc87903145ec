//! The rule language of program eligibility (issue #4; meaning: programs-default.md).
//!
//! A rule is read by a program officer and written by a statistician:
//!
//! ```text
//! national_percentile <= 15
//!   and any(member, pregnant or age <= 6 or age between 7 and 18 or severe_disability)
//! ```
//!
//! It is parsed and type-checked once ([`Rule::parse`]): an error names the column of the
//! rule text (`column 21: unknown variable "umur"`), an unknown level of an enumeration, a
//! comparison of unlike types (`age > "x"`) and a division that can be by zero are refused
//! there. Evaluation ([`Rule::eval`]) is three-valued: an unknown value makes a comparison
//! unknown, and a unit is eligible only when the rule is *true*; [`Rule::explain`] gives
//! every comparison with the values it saw ("national_decile = 6, not <= 4").
//!
//! Tokens are read by `winnow`; the grammar (a dozen productions) is a recursive descent
//! over them, so that every node keeps its place in the text for messages.

use std::fmt;

use winnow::ascii::{digit1, multispace0};
use winnow::combinator::{alt, delimited, opt};
use winnow::stream::{LocatingSlice, Stream};
use winnow::token::{one_of, take_while};
use winnow::{ModalResult, Parser};

use crate::codes::*;
use crate::pmt::Derived;
use crate::registry::{Kind, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};

/// The type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Num,
    Bool,
    Text,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Num => "a number",
            Ty::Bool => "a yes/no value",
            Ty::Text => "a code",
        }
    }
}

/// A rule that cannot be used: where (1-based column, in characters) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub column: usize,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for RuleError {}

/// What a rule is evaluated for: a household, or one member of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Household,
    Member,
}

impl Unit {
    /// `household` or `member`, as catalogue files and outputs write it.
    pub fn code(self) -> &'static str {
        match self {
            Unit::Household => "household",
            Unit::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Unit> {
        match s {
            "household" => Some(Unit::Household),
            "member" => Some(Unit::Member),
            _ => None,
        }
    }
}

/// A variable a rule can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Var {
    /// A column of households.csv (index into [`HOUSEHOLD_COLUMNS`]).
    Household(usize),
    /// A derived household variable of pmt-model.md.
    Derived(Derived),
    /// A household's place in the ranking edition of the run.
    Rank(RankVar),
    /// A column of members.csv (index into [`MEMBER_COLUMNS`]).
    Member(usize),
    /// The member's age in whole years at the run's date.
    Age,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankVar {
    Score,
    NationalRank,
    NationalPercentile,
    NationalDecile,
    ProvinceDecile,
    RegencyDecile,
}

impl RankVar {
    const ALL: [(RankVar, &'static str); 6] = [
        (RankVar::Score, "score"),
        (RankVar::NationalRank, "national_rank"),
        (RankVar::NationalPercentile, "national_percentile"),
        (RankVar::NationalDecile, "national_decile"),
        (RankVar::ProvinceDecile, "province_decile"),
        (RankVar::RegencyDecile, "regency_decile"),
    ];
}

fn kind_ty(k: Kind) -> Ty {
    match k {
        Kind::Int | Kind::Real => Ty::Num,
        Kind::Bool => Ty::Bool,
        Kind::Text | Kind::Date => Ty::Text,
    }
}

impl Var {
    /// Resolves a name; member variables only where a member is in view.
    fn resolve(name: &str, member_in_view: bool) -> Result<(Var, Ty), String> {
        if let Some((v, _)) = RankVar::ALL.iter().find(|(_, n)| *n == name) {
            return Ok((Var::Rank(*v), Ty::Num));
        }
        if let Some(d) = Derived::ALL.iter().find(|d| d.name() == name) {
            let ty = match d {
                Derived::HeadEducation | Derived::HeadSector | Derived::MaxEducation => Ty::Text,
                Derived::HeadFemale | Derived::HeadWorking => Ty::Bool,
                _ => Ty::Num,
            };
            return Ok((Var::Derived(*d), ty));
        }
        let member = |ok: (Var, Ty)| {
            if member_in_view {
                Ok(ok)
            } else {
                Err(format!(
                    "{name} is a member's variable: use it in a member program or inside any(member, …), all(member, …) or count(member, …)"
                ))
            }
        };
        if name == "age" {
            return member((Var::Age, Ty::Num));
        }
        // Both files have household_id and exit_state: the household's is meant.
        if let Some(i) = HOUSEHOLD_COLUMNS.iter().position(|c| c.name == name) {
            return Ok((Var::Household(i), kind_ty(HOUSEHOLD_COLUMNS[i].kind)));
        }
        if let Some(i) = MEMBER_COLUMNS.iter().position(|c| c.name == name) {
            return member((Var::Member(i), kind_ty(MEMBER_COLUMNS[i].kind)));
        }
        Err(format!("unknown variable {name:?}"))
    }

    pub fn name(self) -> &'static str {
        match self {
            Var::Household(i) => HOUSEHOLD_COLUMNS[i].name,
            Var::Member(i) => MEMBER_COLUMNS[i].name,
            Var::Derived(d) => d.name(),
            Var::Rank(r) => RankVar::ALL
                .iter()
                .find(|(v, _)| *v == r)
                .map_or("", |(_, n)| n),
            Var::Age => "age",
        }
    }

    /// The closed set of codes of an enumerated variable.
    pub fn levels(self) -> Option<&'static [&'static str]> {
        match self {
            Var::Derived(Derived::HeadEducation | Derived::MaxEducation) => {
                Some(EducationLevel::CODES)
            }
            Var::Derived(Derived::HeadSector) => Some(HEAD_SECTORS.as_slice()),
            Var::Household(_) | Var::Member(_) => column_codes(self.name()),
            _ => None,
        }
    }
}

/// head_sector: the head's sector, `none` when the head does not work (pmt-model.md).
static HEAD_SECTORS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    let mut v = Sector::CODES.to_vec();
    v.push("none");
    v
});

/// A value as a rule sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val<'a> {
    Num(f64),
    Bool(bool),
    Text(&'a str),
    Null,
}

impl fmt::Display for Val<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::Num(x) => write!(f, "{x}"),
            Val::Bool(b) => f.write_str(if *b { "ya" } else { "tidak" }),
            Val::Text(t) => f.write_str(t),
            Val::Null => f.write_str("tidak diketahui"),
        }
    }
}

/// The facts of one household (and its members) that a rule reads. Member variables are
/// asked for by member position; `member: None` outside a member.
pub trait Facts {
    fn value(&self, var: Var, member: Option<usize>) -> Val<'_>;
    /// Active members.
    fn members(&self) -> usize;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    Any,
    All,
    Count,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(f64),
    Text(String),
    Bool(bool),
    Var(Var),
    Neg(Box<Node>),
    Arith(ArithOp, Box<Node>, Box<Node>),
    Cmp(CmpOp, Box<Node>, Box<Node>),
    Between(Box<Node>, Box<Node>, Box<Node>),
    In(Box<Node>, Vec<String>),
    Not(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
    /// `any` / `all` / `count` over the household's members.
    Members(Quantifier, Box<Node>),
    /// `at_least(n, c1, c2, …)`: at least `n` of the conditions hold.
    AtLeast(usize, Vec<Node>),
}

/// An expression with its type and its place in the rule text (byte range).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub expr: Expr,
    pub ty: Ty,
    pub start: usize,
    pub end: usize,
}

/// A parsed, type-checked rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub text: String,
    pub unit: Unit,
    pub root: Node,
}

// ---------------------------------------------------------------- tokens (winnow)

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Ident(String),
    Sym(&'static str),
}

type In<'a> = LocatingSlice<&'a str>;

fn number(i: &mut In<'_>) -> ModalResult<Tok> {
    (digit1, opt(('.', digit1)))
        .take()
        .try_map(|s: &str| s.parse::<f64>().map(Tok::Num))
        .parse_next(i)
}

fn string(i: &mut In<'_>) -> ModalResult<Tok> {
    alt((
        delimited('\'', take_while(0.., |c| c != '\''), '\''),
        delimited('"', take_while(0.., |c| c != '"'), '"'),
    ))
    .map(|s: &str| Tok::Str(s.to_string()))
    .parse_next(i)
}

fn ident(i: &mut In<'_>) -> ModalResult<Tok> {
    (
        one_of(|c: char| c.is_ascii_alphabetic() || c == '_'),
        take_while(0.., |c: char| c.is_ascii_alphanumeric() || c == '_'),
    )
        .take()
        .map(|s: &str| Tok::Ident(s.to_ascii_lowercase()))
        .parse_next(i)
}

fn symbol(i: &mut In<'_>) -> ModalResult<Tok> {
    alt((
        "<=", ">=", "!=", "<>", "≤", "≥", "<", ">", "=", "+", "-", "*", "/", "(", ")", ",",
    ))
    .map(|s: &str| {
        Tok::Sym(match s {
            "<>" => "!=",
            "≤" => "<=",
            "≥" => ">=",
            "<=" => "<=",
            ">=" => ">=",
            "!=" => "!=",
            "<" => "<",
            ">" => ">",
            "=" => "=",
            "+" => "+",
            "-" => "-",
            "*" => "*",
            "/" => "/",
            "(" => "(",
            ")" => ")",
            _ => ",",
        })
    })
    .parse_next(i)
}

/// Tokens with their byte ranges.
fn tokenize(text: &str) -> Result<Vec<(Tok, usize, usize)>, RuleError> {
    let mut input = LocatingSlice::new(text);
    let mut out = Vec::new();
    loop {
        let _ = multispace0::<_, winnow::error::ContextError>.parse_next(&mut input);
        if input.eof_offset() == 0 {
            return Ok(out);
        }
        let at = text.len() - input.eof_offset();
        match alt((number, string, ident, symbol))
            .with_span()
            .parse_next(&mut input)
        {
            Ok((t, span)) => out.push((t, span.start, span.end)),
            Err(_) => {
                let c = text[at..].chars().next().unwrap_or(' ');
                let message = if c == '\'' || c == '"' {
                    "a text is not closed with its quote".to_string()
                } else {
                    format!("unexpected character {c:?}")
                };
                return Err(err_at(text, at, message));
            }
        }
    }
}

fn column(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].chars().count() + 1
}

fn err_at(text: &str, byte: usize, message: impl Into<String>) -> RuleError {
    RuleError {
        column: column(text, byte),
        message: message.into(),
    }
}

// ---------------------------------------------------------------- grammar

struct P<'t> {
    text: &'t str,
    toks: Vec<(Tok, usize, usize)>,
    pos: usize,
    /// Inside a member: a member program, or within any/all/count(member, …).
    member_in_view: bool,
}

type R<T> = Result<T, RuleError>;

impl P<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.0)
    }
    fn here(&self) -> usize {
        self.toks.get(self.pos).map_or(self.text.len(), |t| t.1)
    }
    fn last_end(&self) -> usize {
        self.pos
            .checked_sub(1)
            .and_then(|p| self.toks.get(p))
            .map_or(0, |t| t.2)
    }
    fn err<T>(&self, at: usize, message: impl Into<String>) -> R<T> {
        Err(err_at(self.text, at, message))
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(s)) if s == w)
    }
    fn is_sym(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Tok::Sym(x)) if *x == s)
    }
    fn eat_word(&mut self, w: &str) -> bool {
        let yes = self.is_word(w);
        self.pos += yes as usize;
        yes
    }
    fn eat_sym(&mut self, s: &str) -> bool {
        let yes = self.is_sym(s);
        self.pos += yes as usize;
        yes
    }
    fn expect_sym(&mut self, s: &str) -> R<()> {
        if self.eat_sym(s) {
            Ok(())
        } else {
            self.err(self.here(), format!("expected {s:?}{}", self.found()))
        }
    }
    fn found(&self) -> String {
        match self.peek() {
            None => ", found the end of the rule".into(),
            Some(Tok::Num(x)) => format!(", found {x}"),
            Some(Tok::Str(s)) => format!(", found {s:?}"),
            Some(Tok::Ident(s)) => format!(", found {s}"),
            Some(Tok::Sym(s)) => format!(", found {s:?}"),
        }
    }

    fn node(&self, expr: Expr, ty: Ty, start: usize) -> Node {
        Node {
            expr,
            ty,
            start,
            end: self.last_end(),
        }
    }

    fn want(&self, n: &Node, ty: Ty, what: &str) -> R<()> {
        if n.ty == ty {
            Ok(())
        } else {
            self.err(
                n.start,
                format!("{what} must be {}, not {}", ty.name(), n.ty.name()),
            )
        }
    }

    fn or(&mut self) -> R<Node> {
        let start = self.here();
        let first = self.and()?;
        if !self.is_word("or") {
            return Ok(first);
        }
        self.want(&first, Ty::Bool, "each side of `or`")?;
        let mut parts = vec![first];
        while self.eat_word("or") {
            let n = self.and()?;
            self.want(&n, Ty::Bool, "each side of `or`")?;
            parts.push(n);
        }
        Ok(self.node(Expr::Or(parts), Ty::Bool, start))
    }

    fn and(&mut self) -> R<Node> {
        let start = self.here();
        let first = self.not()?;
        if !self.is_word("and") {
            return Ok(first);
        }
        self.want(&first, Ty::Bool, "each side of `and`")?;
        let mut parts = vec![first];
        while self.eat_word("and") {
            let n = self.not()?;
            self.want(&n, Ty::Bool, "each side of `and`")?;
            parts.push(n);
        }
        Ok(self.node(Expr::And(parts), Ty::Bool, start))
    }

    fn not(&mut self) -> R<Node> {
        let start = self.here();
        if self.eat_word("not") {
            let n = self.not()?;
            self.want(&n, Ty::Bool, "what follows `not`")?;
            return Ok(self.node(Expr::Not(Box::new(n)), Ty::Bool, start));
        }
        self.comparison()
    }

    /// Checks a code literal against the levels of the variable it is compared with.
    fn check_level(&self, var: &Node, lit: &str, at: usize) -> R<()> {
        if let Expr::Var(v) = var.expr {
            if let Some(levels) = v.levels() {
                if !levels.contains(&lit) {
                    return self.err(
                        at,
                        format!(
                            "{} has no level {lit:?} (levels: {})",
                            v.name(),
                            levels.join(", ")
                        ),
                    );
                }
            }
        }
        Ok(())
    }

    fn comparison(&mut self) -> R<Node> {
        let start = self.here();
        let left = self.sum()?;
        if self.eat_word("between") {
            self.want(&left, Ty::Num, "the left side of `between`")?;
            let lo = self.sum()?;
            self.want(&lo, Ty::Num, "the bounds of `between`")?;
            if !self.eat_word("and") {
                return self.err(
                    self.here(),
                    format!("expected `and` of `between … and …`{}", self.found()),
                );
            }
            let hi = self.sum()?;
            self.want(&hi, Ty::Num, "the bounds of `between`")?;
            return Ok(self.node(
                Expr::Between(Box::new(left), Box::new(lo), Box::new(hi)),
                Ty::Bool,
                start,
            ));
        }
        if self.eat_word("in") {
            self.want(&left, Ty::Text, "the left side of `in`")?;
            self.expect_sym("(")?;
            let mut list = Vec::new();
            loop {
                let at = self.here();
                match self.peek().cloned() {
                    Some(Tok::Str(s)) => {
                        self.pos += 1;
                        self.check_level(&left, &s, at)?;
                        list.push(s);
                    }
                    _ => return self.err(at, format!("expected a quoted code{}", self.found())),
                }
                if !self.eat_sym(",") {
                    break;
                }
            }
            self.expect_sym(")")?;
            return Ok(self.node(Expr::In(Box::new(left), list), Ty::Bool, start));
        }
        let op = match self.peek() {
            Some(Tok::Sym("<")) => CmpOp::Lt,
            Some(Tok::Sym("<=")) => CmpOp::Le,
            Some(Tok::Sym(">")) => CmpOp::Gt,
            Some(Tok::Sym(">=")) => CmpOp::Ge,
            Some(Tok::Sym("=")) => CmpOp::Eq,
            Some(Tok::Sym("!=")) => CmpOp::Ne,
            _ => return Ok(left),
        };
        let op_at = self.here();
        self.pos += 1;
        let right = self.sum()?;
        if left.ty != right.ty {
            return self.err(
                right.start,
                format!("cannot compare {} with {}", left.ty.name(), right.ty.name()),
            );
        }
        if left.ty != Ty::Num && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
            return self.err(
                op_at,
                format!("{} can only be compared with = or !=", left.ty.name()),
            );
        }
        if let Expr::Text(lit) = &right.expr {
            self.check_level(&left, lit, right.start)?;
        }
        if let Expr::Text(lit) = &left.expr {
            self.check_level(&right, lit, left.start)?;
        }
        Ok(self.node(
            Expr::Cmp(op, Box::new(left), Box::new(right)),
            Ty::Bool,
            start,
        ))
    }

    fn sum(&mut self) -> R<Node> {
        let start = self.here();
        let mut left = self.product()?;
        loop {
            let op = if self.is_sym("+") {
                ArithOp::Add
            } else if self.is_sym("-") {
                ArithOp::Sub
            } else {
                return Ok(left);
            };
            self.pos += 1;
            let right = self.product()?;
            self.want(&left, Ty::Num, "arithmetic")?;
            self.want(&right, Ty::Num, "arithmetic")?;
            left = self.node(
                Expr::Arith(op, Box::new(left), Box::new(right)),
                Ty::Num,
                start,
            );
        }
    }

    fn product(&mut self) -> R<Node> {
        let start = self.here();
        let mut left = self.unary()?;
        loop {
            let op = if self.is_sym("*") {
                ArithOp::Mul
            } else if self.is_sym("/") {
                ArithOp::Div
            } else {
                return Ok(left);
            };
            self.pos += 1;
            let right = self.unary()?;
            self.want(&left, Ty::Num, "arithmetic")?;
            self.want(&right, Ty::Num, "arithmetic")?;
            if op == ArithOp::Div && !matches!(right.expr, Expr::Num(x) if x != 0.0) {
                return self.err(
                    right.start,
                    "a division can be by zero: divide only by a number other than 0",
                );
            }
            left = self.node(
                Expr::Arith(op, Box::new(left), Box::new(right)),
                Ty::Num,
                start,
            );
        }
    }

    fn unary(&mut self) -> R<Node> {
        let start = self.here();
        if self.eat_sym("-") {
            let n = self.unary()?;
            self.want(&n, Ty::Num, "what follows `-`")?;
            return Ok(self.node(Expr::Neg(Box::new(n)), Ty::Num, start));
        }
        self.atom()
    }

    fn atom(&mut self) -> R<Node> {
        let start = self.here();
        let Some(tok) = self.peek().cloned() else {
            return self.err(start, "the rule ends where a value was expected");
        };
        self.pos += 1;
        match tok {
            Tok::Num(x) => Ok(self.node(Expr::Num(x), Ty::Num, start)),
            Tok::Str(s) => Ok(self.node(Expr::Text(s), Ty::Text, start)),
            Tok::Sym("(") => {
                let n = self.or()?;
                self.expect_sym(")")?;
                Ok(Node {
                    start,
                    end: self.last_end(),
                    ..n
                })
            }
            Tok::Sym(s) => self.err(start, format!("unexpected {s:?}")),
            Tok::Ident(w) => match w.as_str() {
                "true" | "ya" => Ok(self.node(Expr::Bool(true), Ty::Bool, start)),
                "false" | "tidak" => Ok(self.node(Expr::Bool(false), Ty::Bool, start)),
                "any" | "all" | "count" if self.is_sym("(") => {
                    self.pos += 1;
                    let q = match w.as_str() {
                        "any" => Quantifier::Any,
                        "all" => Quantifier::All,
                        _ => Quantifier::Count,
                    };
                    if !self.eat_word("member") {
                        return self.err(
                            self.here(),
                            format!("expected `member` as the first argument of {w}(…)"),
                        );
                    }
                    self.expect_sym(",")?;
                    let outer = std::mem::replace(&mut self.member_in_view, true);
                    let cond = self.or();
                    self.member_in_view = outer;
                    let cond = cond?;
                    self.want(&cond, Ty::Bool, &format!("the condition of {w}(member, …)"))?;
                    self.expect_sym(")")?;
                    let ty = if q == Quantifier::Count {
                        Ty::Num
                    } else {
                        Ty::Bool
                    };
                    Ok(self.node(Expr::Members(q, Box::new(cond)), ty, start))
                }
                "at_least" if self.is_sym("(") => {
                    self.pos += 1;
                    let at = self.here();
                    let n = match self.peek() {
                        Some(Tok::Num(x)) if x.fract() == 0.0 && *x >= 1.0 => *x as usize,
                        _ => {
                            return self
                                .err(at, format!("expected a whole number ≥ 1{}", self.found()))
                        }
                    };
                    self.pos += 1;
                    let mut conds = Vec::new();
                    while self.eat_sym(",") {
                        let c = self.or()?;
                        self.want(&c, Ty::Bool, "each condition of at_least(…)")?;
                        conds.push(c);
                    }
                    self.expect_sym(")")?;
                    if n > conds.len() {
                        return self.err(
                            at,
                            format!("at_least({n}, …) has only {} conditions", conds.len()),
                        );
                    }
                    Ok(self.node(Expr::AtLeast(n, conds), Ty::Bool, start))
                }
                name => match Var::resolve(name, self.member_in_view) {
                    Ok((v, ty)) => Ok(self.node(Expr::Var(v), ty, start)),
                    Err(m) => self.err(start, m),
                },
            },
        }
    }
}

impl Rule {
    /// Parses and type-checks a rule for `unit`; a rule must be a condition (yes/no).
    pub fn parse(text: &str, unit: Unit) -> Result<Rule, RuleError> {
        let toks = tokenize(text)?;
        let mut p = P {
            text,
            toks,
            pos: 0,
            member_in_view: unit == Unit::Member,
        };
        if p.toks.is_empty() {
            return Err(err_at(text, 0, "the rule is empty"));
        }
        let root = p.or()?;
        if p.pos < p.toks.len() {
            return p.err(
                p.here(),
                format!("expected `and`, `or` or the end of the rule{}", p.found()),
            );
        }
        if root.ty != Ty::Bool {
            return Err(err_at(
                text,
                root.start,
                format!("a rule must be a condition, not {}", root.ty.name()),
            ));
        }
        Ok(Rule {
            text: text.to_string(),
            unit,
            root,
        })
    }

    /// Whether the unit (a household, or member `member` of it) meets the rule: `Some`
    /// when known, `None` when an unknown value decides.
    pub fn eval(&self, facts: &dyn Facts, member: Option<usize>) -> Option<bool> {
        match eval(&self.root, facts, member, None) {
            Value::Bool(b) => b,
            _ => None,
        }
    }

    /// [`Rule::eval`] with every comparison it made, in order.
    pub fn explain(&self, facts: &dyn Facts, member: Option<usize>) -> (Option<bool>, Vec<Check>) {
        let mut checks = Vec::new();
        let r = match eval(&self.root, facts, member, Some((&mut checks, &self.text))) {
            Value::Bool(b) => b,
            _ => None,
        };
        (r, checks)
    }
}

/// One comparison made for an explanation.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Check {
    /// The comparison as written in the rule.
    pub clause: String,
    /// The values it read, as `name = value`.
    pub values: Vec<String>,
    /// Met, not met, or unknown.
    pub passed: Option<bool>,
    /// The member it was about (by position), inside any/all/count.
    pub member: Option<usize>,
}

/// An evaluated value: numbers and yes/no may be unknown.
enum Value<'a> {
    Num(Option<f64>),
    Bool(Option<bool>),
    Text(Option<&'a str>),
}

type Trace<'c, 't> = Option<(&'c mut Vec<Check>, &'t str)>;

fn vars_of(n: &Node, facts: &dyn Facts, member: Option<usize>, out: &mut Vec<String>) {
    match &n.expr {
        Expr::Var(v) => {
            let s = format!("{} = {}", v.name(), facts.value(*v, member));
            if !out.contains(&s) {
                out.push(s);
            }
        }
        Expr::Neg(a) => vars_of(a, facts, member, out),
        Expr::Arith(_, a, b) | Expr::Cmp(_, a, b) => {
            vars_of(a, facts, member, out);
            vars_of(b, facts, member, out);
        }
        Expr::Between(a, b, c) => {
            vars_of(a, facts, member, out);
            vars_of(b, facts, member, out);
            vars_of(c, facts, member, out);
        }
        Expr::In(a, _) => vars_of(a, facts, member, out),
        _ => {}
    }
}

fn record(
    n: &Node,
    facts: &dyn Facts,
    member: Option<usize>,
    r: Option<bool>,
    trace: &mut Trace<'_, '_>,
) {
    if let Some((checks, text)) = trace {
        let mut values = Vec::new();
        vars_of(n, facts, member, &mut values);
        checks.push(Check {
            clause: text[n.start..n.end].to_string(),
            values,
            passed: r,
            member,
        });
    }
}

fn num(n: &Node, facts: &dyn Facts, member: Option<usize>) -> Option<f64> {
    match eval(n, facts, member, None) {
        Value::Num(x) => x,
        _ => None,
    }
}

fn eval<'a>(
    n: &Node,
    facts: &'a dyn Facts,
    member: Option<usize>,
    mut trace: Trace<'_, '_>,
) -> Value<'a> {
    match &n.expr {
        Expr::Num(x) => Value::Num(Some(*x)),
        Expr::Bool(b) => Value::Bool(Some(*b)),
        // Literals live in the rule; only their equality with values matters, so texts
        // are compared in `Cmp` and `In` directly.
        Expr::Text(_) => Value::Text(None),
        Expr::Var(v) => match facts.value(*v, member) {
            // Yes/no variables may come as 0/1 (the PMT's derived head_female, say).
            Val::Num(x) if n.ty == Ty::Bool => Value::Bool(Some(x != 0.0)),
            Val::Num(x) => Value::Num(Some(x)),
            Val::Bool(b) => match n.ty {
                Ty::Num => Value::Num(Some(b as u8 as f64)),
                _ => Value::Bool(Some(b)),
            },
            Val::Text(t) => Value::Text(Some(t)),
            Val::Null => match n.ty {
                Ty::Num => Value::Num(None),
                Ty::Bool => Value::Bool(None),
                Ty::Text => Value::Text(None),
            },
        },
        Expr::Neg(a) => Value::Num(num(a, facts, member).map(|x| -x)),
        Expr::Arith(op, a, b) => {
            let (x, y) = (num(a, facts, member), num(b, facts, member));
            Value::Num(x.zip(y).map(|(x, y)| match op {
                ArithOp::Add => x + y,
                ArithOp::Sub => x - y,
                ArithOp::Mul => x * y,
                ArithOp::Div => x / y,
            }))
        }
        Expr::Cmp(op, a, b) => {
            let r =
                match a.ty {
                    Ty::Num => num(a, facts, member)
                        .zip(num(b, facts, member))
                        .map(|(x, y)| match op {
                            CmpOp::Lt => x < y,
                            CmpOp::Le => x <= y,
                            CmpOp::Gt => x > y,
                            CmpOp::Ge => x >= y,
                            CmpOp::Eq => x == y,
                            CmpOp::Ne => x != y,
                        }),
                    Ty::Bool => {
                        let b1 = truth(a, facts, member);
                        let b2 = truth(b, facts, member);
                        b1.zip(b2).map(|(x, y)| (x == y) == (*op == CmpOp::Eq))
                    }
                    Ty::Text => {
                        let t1 = text(a, facts, member);
                        let t2 = text(b, facts, member);
                        t1.zip(t2).map(|(x, y)| (x == y) == (*op == CmpOp::Eq))
                    }
                };
            record(n, facts, member, r, &mut trace);
            Value::Bool(r)
        }
        Expr::Between(a, lo, hi) => {
            let r = match (
                num(a, facts, member),
                num(lo, facts, member),
                num(hi, facts, member),
            ) {
                (Some(x), Some(l), Some(h)) => Some(l <= x && x <= h),
                _ => None,
            };
            record(n, facts, member, r, &mut trace);
            Value::Bool(r)
        }
        Expr::In(a, list) => {
            let r = text(a, facts, member).map(|t| list.iter().any(|l| l == t));
            record(n, facts, member, r, &mut trace);
            Value::Bool(r)
        }
        Expr::Not(a) => Value::Bool(bool_of(eval(a, facts, member, trace)).map(|b| !b)),
        Expr::And(parts) => {
            // Three-valued: false wins, then unknown.
            let mut r = Some(true);
            for p in parts {
                match bool_of(eval(p, facts, member, reborrow(&mut trace))) {
                    Some(false) => return Value::Bool(Some(false)),
                    None => r = None,
                    Some(true) => {}
                }
            }
            Value::Bool(r)
        }
        Expr::Or(parts) => {
            let mut r = Some(false);
            for p in parts {
                match bool_of(eval(p, facts, member, reborrow(&mut trace))) {
                    Some(true) => return Value::Bool(Some(true)),
                    None => r = None,
                    Some(false) => {}
                }
            }
            Value::Bool(r)
        }
        Expr::Members(q, cond) => {
            let (mut yes, mut unknown, mut all) = (0usize, false, true);
            for k in 0..facts.members() {
                match bool_of(eval(cond, facts, Some(k), reborrow(&mut trace))) {
                    Some(true) => yes += 1,
                    Some(false) => all = false,
                    None => unknown = true,
                }
                if *q == Quantifier::Any && yes > 0 {
                    break;
                }
            }
            match q {
                Quantifier::Count => Value::Num(Some(yes as f64)),
                Quantifier::Any => Value::Bool(if yes > 0 {
                    Some(true)
                } else if unknown {
                    None
                } else {
                    Some(false)
                }),
                Quantifier::All => Value::Bool(if !all {
                    Some(false)
                } else if unknown {
                    None
                } else {
                    Some(true)
                }),
            }
        }
        Expr::AtLeast(k, conds) => {
            let (mut yes, mut unknown) = (0usize, 0usize);
            for c in conds {
                match bool_of(eval(c, facts, member, reborrow(&mut trace))) {
                    Some(true) => yes += 1,
                    None => unknown += 1,
                    Some(false) => {}
                }
            }
            Value::Bool(if yes >= *k {
                Some(true)
            } else if yes + unknown >= *k {
                None
            } else {
                Some(false)
            })
        }
    }
}

fn reborrow<'c, 't>(t: &'c mut Trace<'_, 't>) -> Trace<'c, 't> {
    t.as_mut().map(|(c, s)| (&mut **c, *s))
}

fn bool_of(v: Value<'_>) -> Option<bool> {
    match v {
        Value::Bool(b) => b,
        _ => None,
    }
}

fn truth(n: &Node, facts: &dyn Facts, member: Option<usize>) -> Option<bool> {
    bool_of(eval(n, facts, member, None))
}

fn text<'a>(n: &'a Node, facts: &'a dyn Facts, member: Option<usize>) -> Option<&'a str> {
    match &n.expr {
        Expr::Text(s) => Some(s.as_str()),
        _ => match eval(n, facts, member, None) {
            Value::Text(t) => t,
            _ => None,
        },
    }
}

/// A stored value, owned, for [`RecordFacts`].
#[derive(Debug, Clone, PartialEq)]
enum Owned {
    Num(f64),
    Bool(bool),
    /// A code of the column's code list (no allocation: batches hold millions).
    Code(&'static str),
    Text(String),
    Null,
}

impl Owned {
    fn of(v: &crate::registry::Value<'_>, codes: Option<&'static [&'static str]>) -> Owned {
        use crate::registry::Value as V;
        match v {
            V::Null => Owned::Null,
            V::Int(i) => Owned::Num(*i as f64),
            V::Real(x) => Owned::Num(*x),
            V::Bool(b) => Owned::Bool(*b),
            V::Text(t) => match codes.and_then(|c| c.iter().find(|c| **c == t.as_ref())) {
                Some(c) => Owned::Code(c),
                None => Owned::Text(t.to_string()),
            },
            V::Date(d) => Owned::Text(d.to_string()),
        }
    }

    fn val(&self) -> Val<'_> {
        match self {
            Owned::Num(x) => Val::Num(*x),
            Owned::Bool(b) => Val::Bool(*b),
            Owned::Code(t) => Val::Text(t),
            Owned::Text(t) => Val::Text(t),
            Owned::Null => Val::Null,
        }
    }
}

/// The stored columns a set of rules reads. A batch run converts only these for each
/// household and member (the others read as unknown, but no rule of the set asks for
/// them); [`Reads::all`] is for explanations, which may show any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reads {
    household: Vec<Option<u16>>,
    member: Vec<Option<u16>>,
    /// Each column's code list (looked up once, not per row).
    household_codes: Vec<Option<&'static [&'static str]>>,
    member_codes: Vec<Option<&'static [&'static str]>>,
}

static ALL_READS: std::sync::LazyLock<Reads> = std::sync::LazyLock::new(|| {
    Reads::new(
        &vec![true; HOUSEHOLD_COLUMNS.len()],
        &vec![true; MEMBER_COLUMNS.len()],
    )
});

impl Reads {
    fn new(household_used: &[bool], member_used: &[bool]) -> Reads {
        let slots = |used: &[bool]| {
            let mut next = 0u16;
            used.iter()
                .map(|u| {
                    u.then(|| {
                        next += 1;
                        next - 1
                    })
                })
                .collect()
        };
        let codes =
            |cols: &[crate::registry::Column]| cols.iter().map(|c| column_codes(c.name)).collect();
        Reads {
            household: slots(household_used),
            member: slots(member_used),
            household_codes: codes(HOUSEHOLD_COLUMNS),
            member_codes: codes(MEMBER_COLUMNS),
        }
    }

    pub fn all() -> &'static Reads {
        &ALL_READS
    }

    /// The columns of `rules` and the household columns `extra` (e.g. participation
    /// flags).
    pub fn with_household_columns<'a>(
        rules: impl IntoIterator<Item = &'a Rule>,
        extra: impl IntoIterator<Item = usize>,
    ) -> Reads {
        let mut h = vec![false; HOUSEHOLD_COLUMNS.len()];
        let mut m = vec![false; MEMBER_COLUMNS.len()];
        for r in rules {
            each_var(&r.root, &mut |v| match v {
                Var::Household(i) => h[i] = true,
                Var::Member(i) => m[i] = true,
                _ => {}
            });
        }
        for i in extra {
            h[i] = true;
        }
        Reads::new(&h, &m)
    }

    /// The read columns of a row (`value` of a column index), in column order.
    fn convert<'v>(
        value: impl Fn(usize) -> crate::registry::Value<'v>,
        slots: &[Option<u16>],
        codes: &[Option<&'static [&'static str]>],
    ) -> Box<[Owned]> {
        slots
            .iter()
            .zip(codes)
            .enumerate()
            .filter(|(_, (s, _))| s.is_some())
            .map(|(i, (_, c))| Owned::of(&value(i), *c))
            .collect()
    }

    /// One active member as these rules read it.
    pub fn member_row(&self, m: &crate::registry::Member, as_of: crate::Date) -> MemberRow {
        MemberRow {
            values: Self::convert(|i| m.value(i), &self.member, &self.member_codes),
            facts: crate::pmt::MemberFacts::of(m, as_of),
            nik: m.nik,
        }
    }
}

/// One active member as a [`Reads`] keeps it: the read columns, what the derived
/// variables need (age included) and the NIK.
#[derive(Debug, Clone)]
pub struct MemberRow {
    values: Box<[Owned]>,
    facts: crate::pmt::MemberFacts,
    pub nik: crate::Nik,
}

/// Calls `f` with every variable of a node and its children.
fn each_var(n: &Node, f: &mut impl FnMut(Var)) {
    match &n.expr {
        Expr::Num(_) | Expr::Text(_) | Expr::Bool(_) => {}
        Expr::Var(v) => f(*v),
        Expr::Neg(a) | Expr::Not(a) | Expr::In(a, _) | Expr::Members(_, a) => each_var(a, f),
        Expr::Arith(_, a, b) | Expr::Cmp(_, a, b) => {
            each_var(a, f);
            each_var(b, f);
        }
        Expr::Between(a, b, c) => {
            each_var(a, f);
            each_var(b, f);
            each_var(c, f);
        }
        Expr::And(xs) | Expr::Or(xs) | Expr::AtLeast(_, xs) => {
            xs.iter().for_each(|x| each_var(x, f));
        }
    }
}

/// A household's place in a ranking, as rules read it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankFacts {
    pub score: f64,
    pub national_rank: u64,
    pub national_percentile: u64,
    pub national_decile: u64,
    pub province_decile: u64,
    pub regency_decile: u64,
}

impl RankFacts {
    /// From a stored rank row, whose fields are empty when the household was not scored:
    /// `[national_rank, national_percentile, national_decile, province_decile,
    /// regency_decile]`.
    pub fn from_stored(score: Option<f64>, ranks: [Option<i64>; 5]) -> Option<RankFacts> {
        let [r, p, d, pd, rd] = ranks;
        Some(RankFacts {
            score: score?,
            national_rank: r? as u64,
            national_percentile: p? as u64,
            national_decile: d? as u64,
            province_decile: pd? as u64,
            regency_decile: rd? as u64,
        })
    }
}

/// The facts of one stored household: its columns, its active members (in the order
/// given; exited ones left out, as in ranking), the derived PMT variables and ages at
/// `as_of`, and its ranks (unknown without a ranking). On demand with every column
/// ([`RecordFacts::new`]); in a batch with the columns its rules read.
pub struct RecordFacts<'r> {
    reads: &'r Reads,
    household: Box<[Owned]>,
    members: std::borrow::Cow<'r, [MemberRow]>,
    stats: crate::pmt::MemberStats,
    floor_area: Option<f64>,
    rank: Option<RankFacts>,
}

impl RecordFacts<'static> {
    /// Facts with every column (for explanations, which may show any).
    pub fn new(
        household: &crate::registry::Household,
        members: &[crate::registry::Member],
        as_of: crate::Date,
        rank: Option<RankFacts>,
    ) -> RecordFacts<'static> {
        let reads = Reads::all();
        let rows: Vec<MemberRow> = members
            .iter()
            .filter(|m| m.exit.is_none())
            .map(|m| reads.member_row(m, as_of))
            .collect();
        RecordFacts::of_rows(household, rows.into(), rank, reads)
    }
}

impl<'r> RecordFacts<'r> {
    /// Facts over members already read by `reads` ([`Reads::member_row`], active ones only).
    pub fn of_rows(
        household: &crate::registry::Household,
        members: std::borrow::Cow<'r, [MemberRow]>,
        rank: Option<RankFacts>,
        reads: &'r Reads,
    ) -> RecordFacts<'r> {
        let mut stats = crate::pmt::MemberStats::default();
        for m in members.iter() {
            stats.add(&m.facts);
        }
        RecordFacts {
            household: Reads::convert(
                |i| household.value(i),
                &reads.household,
                &reads.household_codes,
            ),
            reads,
            members,
            stats,
            floor_area: Some(household.floor_area_m2),
            rank,
        }
    }

    /// The NIK of active member `k`.
    pub fn nik(&self, k: usize) -> crate::Nik {
        self.members[k].nik
    }

    /// The NIKs of the active members, in order.
    pub fn niks(&self) -> Vec<String> {
        self.members.iter().map(|m| m.nik.to_string()).collect()
    }
}

/// Column `slot` of a converted row (unknown when not read).
fn read(row: &[Owned], slot: Option<u16>) -> Val<'_> {
    slot.map_or(Val::Null, |s| row[s as usize].val())
}

impl Facts for RecordFacts<'_> {
    fn value(&self, var: Var, member: Option<usize>) -> Val<'_> {
        match var {
            Var::Household(i) => read(&self.household, self.reads.household[i]),
            Var::Derived(d) => match self.stats.value(d, self.floor_area) {
                crate::pmt::VarValue::Num(x) => Val::Num(x),
                crate::pmt::VarValue::Level(l) => Val::Text(l),
                crate::pmt::VarValue::Null => Val::Null,
            },
            Var::Rank(r) => match self.rank {
                None => Val::Null,
                Some(k) => Val::Num(match r {
                    RankVar::Score => k.score,
                    RankVar::NationalRank => k.national_rank as f64,
                    RankVar::NationalPercentile => k.national_percentile as f64,
                    RankVar::NationalDecile => k.national_decile as f64,
                    RankVar::ProvinceDecile => k.province_decile as f64,
                    RankVar::RegencyDecile => k.regency_decile as f64,
                }),
            },
            Var::Member(i) => member.map_or(Val::Null, |k| {
                read(&self.members[k].values, self.reads.member[i])
            }),
            Var::Age => member.map_or(Val::Null, |k| Val::Num(self.members[k].facts.age as f64)),
        }
    }

    fn members(&self) -> usize {
        self.members.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Hand-built facts: household variables by name, members as maps by name.
    #[derive(Default)]
    struct F {
        h: HashMap<&'static str, Val<'static>>,
        m: Vec<HashMap<&'static str, Val<'static>>>,
    }

    impl Facts for F {
        fn value(&self, var: Var, member: Option<usize>) -> Val<'_> {
            let name = var.name();
            let from = match (var, member) {
                (Var::Member(_) | Var::Age, Some(k)) => &self.m[k],
                _ => &self.h,
            };
            from.get(name).copied().unwrap_or(Val::Null)
        }
        fn members(&self) -> usize {
            self.m.len()
        }
    }

    fn err(text: &str, unit: Unit) -> RuleError {
        Rule::parse(text, unit).unwrap_err()
    }

    #[test]
    fn errors_name_the_column() {
        let e = err("national_decile <= 4 and umur > 3", Unit::Household);
        assert_eq!(
            (e.column, e.message.as_str()),
            (26, "unknown variable \"umur\"")
        );
        let e = err("age > \"x\"", Unit::Member);
        assert_eq!(e.column, 7, "{e}");
        assert!(
            e.message.contains("cannot compare a number with a code"),
            "{e}"
        );
        let e = err("hh_size / cattle > 1", Unit::Household);
        assert_eq!(e.column, 11, "{e}");
        assert!(e.message.contains("by zero"), "{e}");
        assert_eq!(err("hh_size / 0 > 1", Unit::Household).column, 11);
        assert!(Rule::parse("hh_size / 2 > 1", Unit::Household).is_ok());
        let e = err("floor_type = 'mud'", Unit::Household);
        assert_eq!(e.column, 14, "{e}");
        assert!(e.message.contains("earth"), "{e}");
        let e = err("floor_type in ('earth', 'mud')", Unit::Household);
        assert_eq!(e.column, 25, "{e}");
        let e = err("age >= 60", Unit::Household);
        assert_eq!(e.column, 1);
        assert!(e.message.contains("any(member"), "{e}");
        let e = err("national_decile <=", Unit::Household);
        assert_eq!(e.column, 19, "{e}");
        let e = err("relation = 'head", Unit::Member);
        assert_eq!(e.column, 12, "{e}");
        assert!(e.message.contains("quote"), "{e}");
        let e = err("national_decile + 1", Unit::Household);
        assert!(e.message.contains("must be a condition"), "{e}");
        let e = err("national_decile <= 4 4", Unit::Household);
        assert_eq!(e.column, 22, "{e}");
        let e = err("pregnant and 3", Unit::Member);
        assert_eq!(e.column, 14, "{e}");
        assert!(err("", Unit::Household).message.contains("empty"));
        let e = err("at_least(3, has_car, has_boat)", Unit::Household);
        assert!(e.message.contains("only 2"), "{e}");
        // Columns count characters, not bytes.
        let e = err("national_decile ≤ 4 and umur > 3", Unit::Household);
        assert_eq!(e.column, 25, "{e}");
    }

    /// A program's rule from the shipped catalogue (`catalogue/default.json`).
    fn rule(code: &str) -> Rule {
        crate::programs::Catalogue::shipped()
            .program(code)
            .unwrap()
            .rule
            .clone()
    }

    fn member(age: f64) -> HashMap<&'static str, Val<'static>> {
        HashMap::from([
            ("age", Val::Num(age)),
            ("pregnant", Val::Bool(false)),
            ("severe_disability", Val::Bool(false)),
            ("relation", Val::Text("child")),
        ])
    }

    #[test]
    fn pkh_on_its_boundaries() {
        let pkh = rule("pkh");
        let mut f = F::default();
        f.h.insert("national_percentile", Val::Num(15.0));
        f.m = vec![member(40.0), member(19.0)];
        assert_eq!(pkh.eval(&f, None), Some(false), "no qualifying member");
        f.m.push(member(18.0));
        assert_eq!(pkh.eval(&f, None), Some(true), "aged 18");
        f.h.insert("national_percentile", Val::Num(16.0));
        assert_eq!(pkh.eval(&f, None), Some(false), "percentile 16");
        f.h.insert("national_percentile", Val::Null);
        assert_eq!(pkh.eval(&f, None), None, "not ranked: unknown");
        f.h.insert("national_percentile", Val::Num(1.0));
        f.m = vec![member(69.0)];
        assert_eq!(pkh.eval(&f, None), Some(false));
        f.m = vec![member(70.0)];
        assert_eq!(pkh.eval(&f, None), Some(true));
        // A missing flag is unknown, which decides nothing when another member qualifies…
        let mut m = member(40.0);
        m.insert("pregnant", Val::Null);
        f.m = vec![m.clone(), member(3.0)];
        assert_eq!(pkh.eval(&f, None), Some(true));
        // …and leaves the household undecided (not eligible) when none does.
        f.m = vec![m];
        assert_eq!(pkh.eval(&f, None), None);
    }

    #[test]
    fn explanations_give_each_comparison_with_its_values() {
        let kip = rule("kip");
        let mut f = F::default();
        f.h.insert("national_decile", Val::Num(6.0));
        let mut m = member(12.0);
        m.insert("school_participation", Val::Text("attending"));
        f.m = vec![m];
        let (r, checks) = kip.explain(&f, Some(0));
        assert_eq!(r, Some(false));
        assert_eq!(checks[0].clause, "national_decile <= 4");
        assert_eq!(checks[0].values, vec!["national_decile = 6"]);
        assert_eq!(checks[0].passed, Some(false));
        assert_eq!(checks.len(), 1, "and stops at the first false: {checks:?}");
        f.h.insert("national_decile", Val::Num(4.0));
        let (r, checks) = kip.explain(&f, Some(0));
        assert_eq!(r, Some(true));
        assert_eq!(checks[1].clause, "age between 6 and 21");
        assert_eq!(checks[1].values, vec!["age = 12"]);
        assert_eq!(checks[2].clause, "school_participation = 'attending'");
    }

    #[test]
    fn at_least_counts_conditions() {
        let r = rule("rs_rtlh");
        let mut f = F::default();
        for (k, v) in [
            ("national_decile", Val::Num(2.0)),
            ("ownership", Val::Text("own")),
            ("floor_type", Val::Text("earth")),
            ("wall_type", Val::Text("brick")),
            ("roof_type", Val::Text("tile")),
            ("floor_area_per_capita", Val::Num(8.0)),
        ] {
            f.h.insert(k, v);
        }
        assert_eq!(r.eval(&f, None), Some(false), "one of four");
        f.h.insert("floor_area_per_capita", Val::Num(7.99));
        assert_eq!(r.eval(&f, None), Some(true), "two of four");
        f.h.insert("ownership", Val::Text("rent"));
        assert_eq!(r.eval(&f, None), Some(false));
    }

    #[test]
    fn member_rules_and_counts() {
        let aslut = rule("aslut");
        let mut f = F::default();
        f.h.insert("national_decile", Val::Num(3.0));
        let mut old = member(60.0);
        old.insert("working", Val::Bool(false));
        let mut worker = member(75.0);
        worker.insert("working", Val::Bool(true));
        f.m = vec![old, worker];
        assert_eq!(aslut.eval(&f, Some(0)), Some(true));
        assert_eq!(aslut.eval(&f, Some(1)), Some(false));
        let n = Rule::parse(
            "count(member, age >= 60) = 2 and all(member, age > 50)",
            Unit::Household,
        )
        .unwrap();
        assert_eq!(n.eval(&f, None), Some(true));
    }
}
