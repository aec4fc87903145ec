//! The language of the pages (#6): Bahasa Indonesia (default) or English.
//!
//! The choice is a cookie (`selaras_lang`) set by `/lang/{id|en}?back=PATH`. A middleware
//! reads it once per request and keeps it, with the request's path, for the page being
//! rendered ([`Tr::current`]); every page template gets a [`Tr`] as `t` and calls
//! `t.get("page-key")` / `t.arg("page-key", "n", value)`. Messages are Fluent files
//! compiled into the binary (`i18n/{id,en}/main.ftl`). Numbers, rupiah and dates keep the
//! Indonesian format in both languages; the JSON API is not affected.

use std::sync::LazyLock;

use axum::extract::{Path, Query, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::Deserialize;

use crate::AppState;

pub const LANG_COOKIE: &str = "selaras_lang";

const ID_FTL: &str = include_str!("../i18n/id/main.ftl");
const EN_FTL: &str = include_str!("../i18n/en/main.ftl");

/// A page language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    pub fn from_code(s: &str) -> Option<Lang> {
        match s {
            "id" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Id => Lang::En,
            Lang::En => Lang::Id,
        }
    }

    /// The language's own name, for the switch link.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Id => "Bahasa Indonesia",
            Lang::En => "English",
        }
    }

    /// Picks the Indonesian or the English text.
    pub fn pick<'a>(self, id: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Id => id,
            Lang::En => en,
        }
    }
}

type Bundle = FluentBundle<FluentResource>;

fn bundle(lang: Lang, src: &'static str) -> Bundle {
    let id: unic_langid::LanguageIdentifier = lang.code().parse().expect("language tag");
    let res = match FluentResource::try_new(src.to_string()) {
        Ok(r) => r,
        Err((_, errors)) => panic!("{}/main.ftl does not parse: {errors:?}", lang.code()),
    };
    let mut b = FluentBundle::new_concurrent(vec![id]);
    b.set_use_isolating(false);
    if let Err(e) = b.add_resource(res) {
        panic!("{}/main.ftl: {e:?}", lang.code());
    }
    b
}

static ID: LazyLock<Bundle> = LazyLock::new(|| bundle(Lang::Id, ID_FTL));
static EN: LazyLock<Bundle> = LazyLock::new(|| bundle(Lang::En, EN_FTL));

fn of(lang: Lang) -> &'static Bundle {
    match lang {
        Lang::Id => &ID,
        Lang::En => &EN,
    }
}

/// One message in a language, with arguments; the key itself when it is missing (a test
/// checks that every key used by the templates and pages exists).
pub fn message(lang: Lang, key: &str, args: Option<&FluentArgs>) -> String {
    let b = of(lang);
    let Some(pattern) = b.get_message(key).and_then(|m| m.value()) else {
        return key.to_string();
    };
    let mut errors = vec![];
    b.format_pattern(pattern, args, &mut errors).into_owned()
}

#[derive(Clone)]
struct Current {
    lang: Lang,
    path: String,
}

tokio::task_local! {
    static CURRENT: Current;
}

/// The language chosen by the `selaras_lang` cookie (Indonesian without one).
pub fn lang_of(headers: &axum::http::HeaderMap) -> Lang {
    crate::auth::cookie(headers, LANG_COOKIE)
        .and_then(|v| Lang::from_code(&v))
        .unwrap_or_default()
}

/// Middleware: the request's language and path, for the pages rendered while it runs.
pub async fn scope(req: Request, next: Next) -> Response {
    let current = Current {
        lang: lang_of(req.headers()),
        path: req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into()),
    };
    CURRENT.scope(current, next.run(req)).await
}

/// The Indonesian or English text, by the language of the request being served (for
/// labels kept as two columns beside the code they name).
pub fn pick<'a>(id: &'a str, en: &'a str) -> &'a str {
    CURRENT
        .try_with(|c| c.lang)
        .unwrap_or_default()
        .pick(id, en)
}

/// The language of the request being served.
pub fn current() -> Lang {
    CURRENT.try_with(|c| c.lang).unwrap_or_default()
}

/// One message in the language of the request being served.
pub fn text(key: &str) -> String {
    message(current(), key, None)
}

/// The translator handed to every page template as `t`.
#[derive(Debug, Clone)]
pub struct Tr {
    pub lang: Lang,
    back: String,
}

impl Default for Tr {
    fn default() -> Self {
        Tr::current()
    }
}

impl Tr {
    /// The language and path of the request being served (Indonesian and `/` outside one).
    pub fn current() -> Tr {
        CURRENT
            .try_with(|c| Tr {
                lang: c.lang,
                back: c.path.clone(),
            })
            .unwrap_or(Tr {
                lang: Lang::Id,
                back: "/".into(),
            })
    }

    pub fn new(lang: Lang) -> Tr {
        Tr {
            lang,
            back: "/".into(),
        }
    }

    pub fn get(&self, key: &str) -> String {
        message(self.lang, key, None)
    }

    /// A message with one argument `{ $name }`.
    pub fn arg(&self, key: &str, name: &str, value: impl ToString) -> String {
        let mut args = FluentArgs::new();
        args.set(name, FluentValue::from(value.to_string()));
        message(self.lang, key, Some(&args))
    }

    /// A message with several arguments.
    pub fn args(&self, key: &str, pairs: &[(&str, &str)]) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in pairs {
            args.set(*name, FluentValue::from(value.to_string()));
        }
        message(self.lang, key, Some(&args))
    }

    /// For `<html lang="…">`.
    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    /// The other language's name, for the switch link.
    pub fn switch_label(&self) -> &'static str {
        self.lang.other().name()
    }

    pub fn switch_code(&self) -> &'static str {
        self.lang.other().code()
    }

    /// `/lang/{other}?back=<this page>`.
    pub fn switch_href(&self) -> String {
        format!(
            "/lang/{}?back={}",
            self.lang.other().code(),
            encode(&self.back)
        )
    }

    pub fn pick<'a>(&self, id: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(id, en)
    }
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Only a path on this site: starts with one `/`, not `//` or `/\` (which browsers read as
/// another host), no control characters.
pub fn safe_back(back: &str) -> &str {
    let b = back.as_bytes();
    let ok = b.first() == Some(&b'/')
        && !matches!(b.get(1), Some(b'/') | Some(b'\\'))
        && !back.chars().any(|c| c.is_control());
    if ok {
        back
    } else {
        "/"
    }
}

#[derive(Deserialize)]
pub struct Back {
    #[serde(default)]
    back: String,
}

/// `GET /lang/{id|en}?back=PATH`: remembers the language for a year and goes back.
pub async fn switch(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<Back>,
) -> Response {
    let Some(lang) = Lang::from_code(&code) else {
        return crate::pages::error_page(&state, None, crate::error::ApiError::NotFound);
    };
    // Never back to the switch itself.
    let back = match safe_back(&q.back) {
        b if b.starts_with("/lang/") => "/",
        b => b,
    };
    let mut resp = Redirect::to(back).into_response();
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{}",
        lang.code(),
        if state.secure_cookies { "; Secure" } else { "" }
    );
    if let Ok(v) = cookie.parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(src: &str) -> BTreeSet<String> {
        let res = FluentResource::try_new(src.to_string()).expect("parses");
        res.entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn english_has_exactly_the_indonesian_keys_and_no_empty_text() {
        let id = keys(ID_FTL);
        let en = keys(EN_FTL);
        assert!(id.len() > 50, "only {} keys", id.len());
        let missing: Vec<_> = id.difference(&en).collect();
        let extra: Vec<_> = en.difference(&id).collect();
        assert!(missing.is_empty(), "missing in en: {missing:?}");
        assert!(extra.is_empty(), "only in en: {extra:?}");
        for lang in [Lang::Id, Lang::En] {
            for k in &id {
                let s = message(lang, k, None);
                assert!(!s.trim().is_empty(), "{}: {k} is empty", lang.code());
                assert_ne!(&s, k, "{}: {k} has no value", lang.code());
            }
        }
    }

    /// Every `t.get("…")` / `t.arg("…"` / `i18n::text("…")` in the templates and page
    /// sources names a key.
    #[test]
    fn every_key_used_exists() {
        let id = keys(ID_FTL);
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/");
        let mut files = vec![];
        for sub in ["templates", "src"] {
            for e in std::fs::read_dir(format!("{dir}{sub}")).unwrap() {
                let path = e.unwrap().path();
                // This file's own documentation shows example keys.
                if !path.ends_with("i18n.rs") {
                    files.push(path);
                }
            }
        }
        let mut used = 0;
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for pat in ["t.get(\"", ".arg(\"", ".args(\"", "i18n::text(\""] {
                for (i, _) in text.match_indices(pat) {
                    let rest = &text[i + pat.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    if key.is_empty() || key.contains('{') {
                        continue;
                    }
                    used += 1;
                    assert!(id.contains(key), "{}: unknown key {key}", f.display());
                }
            }
        }
        assert!(used > 20, "only {used} uses found");
    }

    #[test]
    fn back_stays_on_this_site() {
        assert_eq!(safe_back("/cases?kind=need"), "/cases?kind=need");
        assert_eq!(safe_back("//evil.example"), "/");
        assert_eq!(safe_back("/\\evil.example"), "/");
        assert_eq!(safe_back("https://evil.example"), "/");
        assert_eq!(safe_back(""), "/");
        assert_eq!(safe_back("/a\r\nSet-Cookie: x"), "/");
    }

    #[test]
    fn switch_link_keeps_the_page() {
        let t = Tr {
            lang: Lang::Id,
            back: "/cases?kind=need&page=2".into(),
        };
        assert_eq!(
            t.switch_href(),
            "/lang/en?back=/cases%3Fkind%3Dneed%26page%3D2"
        );
        assert_eq!(t.switch_label(), "English");
    }
}
