//! The declaration of a closed list of codes with Indonesian and English labels, shared by
//! case life cycles and indicator catalogues.

/// An enum of codes: `ALL`, `code`, `parse` (exact code), `label_id`, `label_en`, `Display`
/// (the code). Attributes given before the name (docs, more derives) go on the enum.
macro_rules! labelled_codes {
    ($(#[$m:meta])* $name:ident { $($v:ident = $code:literal / $id:literal / $en:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($v),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub const fn code(self) -> &'static str { match self { $($name::$v => $code),+ } }
            pub fn parse(s: &str) -> Option<$name> { match s { $($code => Some($name::$v),)+ _ => None } }
            /// The Indonesian label (pages, letters, messages to families).
            pub const fn label_id(self) -> &'static str { match self { $($name::$v => $id),+ } }
            pub const fn label_en(self) -> &'static str { match self { $($name::$v => $en),+ } }
        }
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { f.write_str(self.code()) }
        }
    };
}
