//! The grammar stream files are written in: [`cursor!`] for a cursor, and
//! [`api_stream!`] for a stream whose columns are the API's own fields,
//! declared from one field list.

/// `cursor!("updated_at" <- "updated_datetime")`, optionally
/// `or "created_datetime"` for the fallback.
macro_rules! cursor {
    ($column:literal <- $api:literal) => {
        $crate::streams::cursor!(@ $column, $api, None)
    };
    ($column:literal <- $api:literal or $fallback:literal) => {
        $crate::streams::cursor!(@ $column, $api, Some($fallback))
    };
    (@ $column:literal, $api:literal, $fallback:expr) => {
        Some($crate::streams::Cursor::new(
            $column,
            $api,
            $fallback,
            concat!($api, ":desc"),
            concat!($api, ":asc"),
        ))
    };
}
pub(crate) use cursor;

/// The API field a column copies: the column's own name (`r#type` is `type`).
pub const fn api_field(column: &'static str) -> &'static str {
    match column.as_bytes() {
        [b'r', b'#', rest @ ..] => match std::str::from_utf8(rest) {
            Ok(name) => name,
            Err(_) => column,
        },
        _ => column,
    }
}

/// A stream whose columns are API fields, declared from ONE list: the
/// stream's static (named like `TAGS`, its name the module's, its other
/// [`StreamDef`] fields in braces), then the row's doc, its type and the
/// noun for errors ("tag"), then `column: getter = "description",` per
/// column. The getter is an [`Obj`] reader (`str`, `int`, `bool`, `ts`,
/// `json_object`, `json_array`, `json`) of the API field of the column's
/// name, `id` (the object's id, refused without one) or `parent` (the
/// parent's id, for a child list). `str <- email` reads a field of another
/// name, `int <- id in user` a field of a nested object (`in sender.meta`
/// for a deeper one), and `ts or
/// other_field` reads `other_field` when the field is absent or null. It
/// builds the row struct (its descriptions become the schema's), `map` and
/// `schema`.
///
/// A row flattened from several nested objects names them first, each read
/// once per row (an odd one is tallied once, not per column):
/// `objects { customer = customer, requester = requester | customer };`
/// reads `requester`, or the `customer` object when the object has none.
/// `in` then names one of these objects (`str <- email in requester`).
macro_rules! api_stream {
    ($stream:ident { $($def:tt)* }
     $(#[$doc:meta])* $row:ident, $what:literal;
     objects { $($objects:tt)* };
     $($columns:tt)+) => {
        $crate::streams::api_stream!(@build named [$($objects)*] $stream { $($def)* }
            $(#[$doc])* $row, $what; $($columns)+);
    };
    ($stream:ident { $($def:tt)* }
     $(#[$doc:meta])* $row:ident, $what:literal;
     $($columns:tt)+) => {
        $crate::streams::api_stream!(@build fields [] $stream { $($def)* }
            $(#[$doc])* $row, $what; $($columns)+);
    };
    (@build $nested:ident [$($name:ident = $member:ident $(| $instead:ident)?),* $(,)?]
     $stream:ident { $($def:tt)* }
     $(#[$doc:meta])* $row:ident, $what:literal;
     $($col:ident: $get:ident $(<- $field:ident $(in $($parent:ident).+)?)? $(or $alt:ident)?
       = $desc:literal,)+) => {
        #[allow(unused_imports)]
        use $crate::streams::{cursor, no_lookback, Deletion, Read, Relation, StreamDef, DEFAULTS};
        #[allow(unused_imports)]
        use chrono::Duration;

        pub static $stream: StreamDef = StreamDef {
            name: $crate::streams::module_name(module_path!()),
            $($def)*
            schema,
            map,
            ..DEFAULTS
        };

        $(#[$doc])*
        #[derive(serde::Serialize, schemars::JsonSchema)]
        pub struct $row {
            $(#[doc = $desc] pub $col: $crate::streams::column_type!($get),)+
        }

        // Only a child list's `parent` column reads its parent's id.
        #[allow(unused_variables)]
        pub fn map(
            object: $crate::json::Node<'_>,
            parent: Option<i64>,
            ctx: &$crate::streams::RowContext,
            out: &mut $crate::streams::Out<'_>,
        ) -> $crate::error::Result<()> {
            let o = ctx.obj(object);
            $(let $name = $crate::streams::Nested::new(|| {
                o.at(stringify!($member))$(.or($instead.get()))?
            });)*
            out.push(&$row {
                $($col: $crate::streams::column_value!(
                    o, parent, $nested, $what, $col, $get $(<- $field $(in $($parent).+)?)? $(or $alt)?
                ),)+
            })
        }

        pub fn schema() -> serde_json::Value {
            $crate::streams::row_schema::<$row>()
        }
    };
}
pub(crate) use api_stream;

/// The last segment of a module path: a stream's name is its file's.
pub const fn module_name(path: &'static str) -> &'static str {
    let bytes = path.as_bytes();
    let mut i = bytes.len();
    while i > 0 && bytes[i - 1] != b':' {
        i -= 1;
    }
    match std::str::from_utf8(bytes.split_at(i).1) {
        Ok(name) => name,
        Err(_) => path,
    }
}

macro_rules! column_type {
    (id) => { i64 };
    (parent) => { i64 };
    (str) => { Option<String> };
    (int) => { Option<i64> };
    (bool) => { Option<bool> };
    (ts) => { Option<$crate::schema::Timestamp> };
    (json) => { Option<$crate::streams::columns::Json> };
    (json_object) => { Option<$crate::streams::columns::JsonObject> };
    (json_array) => { Option<$crate::streams::columns::JsonArray> };
}
pub(crate) use column_type;

macro_rules! column_value {
    ($o:ident, $parent_id:ident, $nested:ident, $what:literal, $col:ident, id) => {
        $o.id($what)?
    };
    ($o:ident, $parent_id:ident, $nested:ident, $what:literal, $col:ident, parent) => {
        $crate::streams::parent_id($parent_id, $what)?
    };
    ($o:ident, $parent_id:ident, fields, $what:literal, $col:ident, $get:ident <- $field:ident in $($parent:ident).+) => {
        $o$(.at(stringify!($parent)))+.$get(stringify!($field))
    };
    ($o:ident, $parent_id:ident, named, $what:literal, $col:ident, $get:ident <- $field:ident in $object:ident $(.$parent:ident)*) => {
        $object.get()$(.at(stringify!($parent)))*.$get(stringify!($field))
    };
    ($o:ident, $parent_id:ident, $nested:ident, $what:literal, $col:ident, $get:ident <- $field:ident $(or $alt:ident)?) => {
        $crate::streams::column_value!(@read $o, $get, stringify!($field) $(, $alt)?)
    };
    ($o:ident, $parent_id:ident, $nested:ident, $what:literal, $col:ident, $get:ident $(or $alt:ident)?) => {
        $crate::streams::column_value!(
            @read $o, $get, $crate::streams::api_field(stringify!($col)) $(, $alt)?
        )
    };
    (@read $o:ident, $get:ident, $field:expr) => {
        $o.$get($field)
    };
    (@read $o:ident, $get:ident, $field:expr, $alt:ident) => {
        $o.$get($field).or_else(|| $o.$get(stringify!($alt)))
    };
}
pub(crate) use column_value;
