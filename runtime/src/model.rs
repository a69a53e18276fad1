//! The macros the generated crates are written with: [`model!`](crate::model) declares a
//! model struct with its JSON impls, [`action!`](crate::action) ties a request to its
//! action. One line per field keeps the generated source small (all services: ~217,000
//! fields) and the impls uniform.

/// Declares a model struct: every field `Option<T>`, `Default`, `#[non_exhaustive]`, the
/// JSON impls its direction needs, a `new()`, a chainable setter and an accessor per field.
///
/// ```text
/// model! { DIR DEBUG; (docs) Name { (docs) "WireName" field (accessor)? setter: KIND Type?, ... } }
/// ```
/// - `DIR` is `write` (request side: [`ToJson`](crate::ToJson) and the setters), `read`
///   (response side: [`FromJson`](crate::FromJson) and the accessors) or `both`; the other
///   direction is compiled only with the calling crate's `full-json` feature. `DEBUG` is
///   `debug` (derived) or `nodebug` (the caller writes a Debug impl that redacts secrets).
/// - With the calling crate's `serde` feature (which must turn `full-json` on), serde's
///   `Serialize` and `Deserialize` through the JSON impls (`tencentcloud_runtime::serialize`
///   and `deserialize`, runtime feature `serde`).
/// - `KIND` gives the field's type and its methods:
///
///   | `KIND`       | field type     | setter takes                                   | accessor returns |
///   |--------------|----------------|------------------------------------------------|------------------|
///   | `str`        | `String`       | `impl Into<String>`                            | `Option<&str>`   |
///   | `list T`     | `Vec<T>`       | `impl IntoIterator<Item = impl Into<T>>`       | `&[T]` (empty when absent) |
///   | `obj T`      | `T` (a model)  | `T`                                            | `Option<&T>`     |
///   | `boxed T`    | `Box<T>`       | `T`                                            | `Option<&T>`     |
///   | `i64`, `i128`, `f64`, `bool` | itself | `impl Into<_>`                        | `Option<_>`      |
///
/// Setters follow google-cloud-rust's generated messages (`set_<field>(self, v) -> Self`,
/// so a request is one expression); accessors follow aws-sdk-rust's (named like the field).
/// The accessor is named like the field unless a name is given in parentheses (the
/// generator renames accessors that would clash with a setter, `new`, or a method of a
/// trait every model implements, such as `clone` or `default`).
///
/// ```
/// tencentcloud_runtime::model! { both debug;
///     /// A filter.
///     Filter {
///         /// The field to filter on.
///         "Name" name set_name: str,
///         "Values" values set_values: list String,
///         "Clone" clone(clone_value) set_clone: bool,
///     }
/// }
/// let f = Filter::new().set_name("zone").set_values(["ap-guangzhou-3"]);
/// assert_eq!(tencentcloud_runtime::to_string(&f).unwrap(), r#"{"Name":"zone","Values":["ap-guangzhou-3"]}"#);
/// assert_eq!(f.name(), Some("zone"));
/// assert_eq!(f.values(), ["ap-guangzhou-3"]);
/// assert_eq!(f.clone_value(), None);
/// assert!(Filter::new().values().is_empty());
///
/// // With the `serde` feature, serde reads and writes the same wire names.
/// #[cfg(feature = "serde")]
/// {
///     assert_eq!(serde_json::to_string(&f).unwrap(), r#"{"Name":"zone","Values":["ap-guangzhou-3"]}"#);
///     let read: Filter = serde_json::from_str(r#"{"Name":"zone","Clone":"True"}"#).unwrap();
///     assert_eq!(read, Filter::new().set_name("zone").set_clone(true));
/// }
/// ```
#[macro_export]
macro_rules! model {
    // The direction gates (setters, accessors, ToJson, FromJson) and the derives, then the
    // one expansion: the fields are matched once, each field's methods by `__field!`.
    (write debug; $($rest:tt)*) => {
        $crate::__model!([] [#[cfg(feature = "full-json")]] [] [#[cfg(feature = "full-json")]] [Debug, Clone, Default, PartialEq] $($rest)*);
    };
    (write nodebug; $($rest:tt)*) => {
        $crate::__model!([] [#[cfg(feature = "full-json")]] [] [#[cfg(feature = "full-json")]] [Clone, Default, PartialEq] $($rest)*);
    };
    (read debug; $($rest:tt)*) => {
        $crate::__model!([#[cfg(feature = "full-json")]] [] [#[cfg(feature = "full-json")]] [] [Debug, Clone, Default, PartialEq] $($rest)*);
    };
    (read nodebug; $($rest:tt)*) => {
        $crate::__model!([#[cfg(feature = "full-json")]] [] [#[cfg(feature = "full-json")]] [] [Clone, Default, PartialEq] $($rest)*);
    };
    (both debug; $($rest:tt)*) => {
        $crate::__model!([] [] [] [] [Debug, Clone, Default, PartialEq] $($rest)*);
    };
    (both nodebug; $($rest:tt)*) => {
        $crate::__model!([] [] [] [] [Clone, Default, PartialEq] $($rest)*);
    };
}

/// The expansion of [`model!`](crate::model): `[setters gate] [accessors gate] [ToJson gate]
/// [FromJson gate] [derives] (docs) Name { fields }`. Setters come with writing and
/// accessors with reading: a response-only model gets its setters, a request-only model
/// its accessors, with the calling crate's `full-json` feature.
#[doc(hidden)]
#[macro_export]
macro_rules! __model {
    ([$(#[$sg:meta])*] [$(#[$gg:meta])*] [$(#[$wg:meta])*] [$(#[$rg:meta])*] [$($derive:ident),*]
        $(#$sa:tt)* $name:ident {
        $( $(#$fa:tt)* $wire:literal $id:ident $(($get:ident))? $set:ident : $kind:ident $($t:ty)? ),* $(,)?
    }) => {
        $(#$sa)*
        #[derive($($derive),*)]
        #[non_exhaustive]
        pub struct $name { $( $(#$fa)* pub $id: ::core::option::Option<$crate::__field!(ty $kind $($t)?)>, )* }
        impl $name {
            #[doc = concat!("An empty `", stringify!($name), "` (every field `None`), to chain setters on.")]
            #[inline]
            pub fn new() -> Self {
                <Self as ::core::default::Default>::default()
            }
        }
        $(#[$sg])*
        impl $name { $( $crate::__field!(set $kind $set $wire $id $($t)?); )* }
        // Accessors are named like the service's fields, not for clippy's conventions:
        // a `Len` field gives `len()` with no `is_empty`, a `FromTime` field `from_time(&self)`.
        $(#[$gg])*
        #[allow(clippy::len_without_is_empty, clippy::wrong_self_convention, clippy::should_implement_trait)]
        impl $name { $( $crate::__field!(get $kind $($get)? $id $wire $id $($t)?); )* }
        $(#[$wg])*
        impl $crate::ToJson for $name {
            fn to_json(&self, w: &mut $crate::Writer) {
                #[allow(unused_mut)]
                let mut o = $crate::ObjWriter::new(w);
                $( $crate::ObjWriter::f(&mut o, $wire, &self.$id); )*
                $crate::ObjWriter::end(o);
            }
        }
        $(#[$rg])*
        impl $crate::FromJson for $name {
            fn from_json(v: &$crate::Value<'_>) -> $crate::Read<Self> {
                let ::core::option::Option::Some(_o) = $crate::Obj::of(v)? else {
                    return ::core::result::Result::Ok(::core::option::Option::None);
                };
                #[allow(unused_mut)]
                let mut _r = $crate::ObjReader::new(_o);
                let v = Self { $( $id: $crate::ObjReader::f(&mut _r, $wire), )* };
                $crate::ObjReader::finish(_r, v)
            }
            fn from_tape(_t: &[$crate::__private::Node<'_>], _at: usize) -> $crate::Read<Self> {
                let ::core::option::Option::Some(mut _r) = $crate::__private::TapeReader::of(_t, _at)? else {
                    return ::core::result::Result::Ok(::core::option::Option::None);
                };
                let v = Self { $( $id: $crate::__private::TapeReader::f(&mut _r, $wire), )* };
                $crate::__private::TapeReader::finish(_r, v)
            }
        }
        // serde (the calling crate's `serde` feature, which turns `full-json` on): through
        // the JSON impls above, one line each way, where the JSON impl is compiled.
        $(#[$wg])*
        #[cfg(feature = "serde")]
        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::serialize(self, s)
            }
        }
        $(#[$rg])*
        #[cfg(feature = "serde")]
        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                $crate::deserialize(d)
            }
        }
    };
}

/// One field of [`model!`](crate::model) by its kind: `ty` (the type inside the `Option`),
/// `set` (the setter), `get` (the accessor; the first identifier names it).
#[doc(hidden)]
#[macro_export]
macro_rules! __field {
    (ty str) => { $crate::__private::String };
    (ty list $t:ty) => { $crate::__private::Vec<$t> };
    (ty obj $t:ty) => { $t };
    (ty boxed $t:ty) => { $crate::__private::Box<$t> };
    (ty $scalar:ident) => { $scalar };
    (get str $get:ident $($_f:ident)? $wire:literal $id:ident) => {
        #[doc = concat!("`", $wire, "`, borrowed.")]
        #[inline]
        pub fn $get(&self) -> ::core::option::Option<&str> {
            ::core::option::Option::as_deref(&self.$id)
        }
    };
    (get list $get:ident $($_f:ident)? $wire:literal $id:ident $t:ty) => {
        #[doc = concat!("`", $wire, "`; empty when absent.")]
        #[inline]
        pub fn $get(&self) -> &[$t] {
            $crate::__private::slice(&self.$id)
        }
    };
    (get obj $get:ident $($_f:ident)? $wire:literal $id:ident $t:ty) => {
        #[doc = concat!("`", $wire, "`, borrowed.")]
        #[inline]
        pub fn $get(&self) -> ::core::option::Option<&$t> {
            ::core::option::Option::as_ref(&self.$id)
        }
    };
    (get boxed $get:ident $($_f:ident)? $wire:literal $id:ident $t:ty) => {
        #[doc = concat!("`", $wire, "`, borrowed.")]
        #[inline]
        pub fn $get(&self) -> ::core::option::Option<&$t> {
            ::core::option::Option::as_deref(&self.$id)
        }
    };
    (get $scalar:ident $get:ident $($_f:ident)? $wire:literal $id:ident) => {
        #[doc = concat!("`", $wire, "`.")]
        #[inline]
        pub fn $get(&self) -> ::core::option::Option<$scalar> {
            self.$id
        }
    };
    (set str $set:ident $wire:literal $id:ident) => {
        #[doc = concat!("Sets `", $wire, "`.")]
        #[inline]
        pub fn $set(mut self, v: impl ::core::convert::Into<$crate::__private::String>) -> Self {
            self.$id = ::core::option::Option::Some(v.into());
            self
        }
    };
    (set list $set:ident $wire:literal $id:ident $t:ty) => {
        #[doc = concat!("Sets `", $wire, "` to these items.")]
        #[inline]
        pub fn $set(mut self, v: impl ::core::iter::IntoIterator<Item = impl ::core::convert::Into<$t>>) -> Self {
            self.$id = ::core::option::Option::Some($crate::__private::collect(v));
            self
        }
    };
    (set obj $set:ident $wire:literal $id:ident $t:ty) => {
        #[doc = concat!("Sets `", $wire, "`.")]
        #[inline]
        pub fn $set(mut self, v: $t) -> Self {
            self.$id = ::core::option::Option::Some(v);
            self
        }
    };
    (set boxed $set:ident $wire:literal $id:ident $t:ty) => {
        #[doc = concat!("Sets `", $wire, "`.")]
        #[inline]
        pub fn $set(mut self, v: $t) -> Self {
            self.$id = ::core::option::Option::Some($crate::__private::Box::new(v));
            self
        }
    };
    (set $scalar:ident $set:ident $wire:literal $id:ident) => {
        #[doc = concat!("Sets `", $wire, "`.")]
        #[inline]
        pub fn $set(mut self, v: impl ::core::convert::Into<$scalar>) -> Self {
            self.$id = ::core::option::Option::Some(v.into());
            self
        }
    };
}

/// Implements [`Action`](crate::Action) for a request type:
/// `action!("cvm", "2017-03-12", "DescribeInstances", DescribeInstancesRequest => DescribeInstancesResponse);`
/// With `, stream` after the response type, also [`Streaming`](crate::Streaming): the action
/// answers with server-sent events.
#[macro_export]
macro_rules! action {
    ($service:literal, $version:literal, $action:literal, $req:ident => $resp:ident) => {
        impl $crate::Action for $req {
            const SERVICE: &'static str = $service;
            const VERSION: &'static str = $version;
            const ACTION: &'static str = $action;
            type Response = $resp;
        }
    };
    ($service:literal, $version:literal, $action:literal, $req:ident => $resp:ident, stream) => {
        $crate::action!($service, $version, $action, $req => $resp);
        impl $crate::Streaming for $req {}
    };
}

#[cfg(test)]
mod tests {
    use crate::{FromJson, from_slice, to_string};
    use alloc::boxed::Box;
    use alloc::string::String;
    use alloc::vec::Vec;

    crate::model! { both debug;
        /// A request (both directions: a write-only model has its accessors, a read-only one its
        /// setters, only with the calling crate's `full-json`).
        Req {
            /// Keyword field.
            "Type" r#type set_type: str,
            "InstanceId" instance_id set_instance_id: i64,
            "InstanceID" instance_id_2 set_instance_id_2: i64,
            "Filters" filters set_filters: list Item,
            "Default" default(default_value) set_default: bool,
            "SetLimit" set_limit(set_limit_value) set_set_limit: i128,
            "Limit" limit set_limit: i128,
            "Ratio" ratio set_ratio: f64,
            "Ids" ids set_ids: list i64,
        }
    }
    crate::model! { both debug; Item { "Name" name set_name: str, "Next" next set_next: boxed Item, "Only" only set_only: obj Resp } }
    crate::model! { both debug; Resp { "Total" total set_total: i128 } }
    crate::model! { both debug; Empty {} }
    crate::action!("cvm", "2017-03-12", "Describe", Req => Resp);

    #[test]
    fn generated_models_round_trip() {
        let r = Req {
            r#type: Some("a".into()),
            instance_id: Some(1),
            instance_id_2: Some(2),
            filters: Some(alloc::vec![Item {
                name: Some("n".into()),
                next: Some(Box::new(Item::default())),
                only: None
            }]),
            ..Req::default()
        };
        let json = to_string(&r).unwrap();
        assert_eq!(json, r#"{"Type":"a","InstanceId":1,"InstanceID":2,"Filters":[{"Name":"n","Next":{}}]}"#);
        let back: Item = from_slice(br#"{"Name":"n","Next":{"Name":"m"}}"#).unwrap();
        assert_eq!(back.next.unwrap().name.as_deref(), Some("m"));
        let resp: Resp = from_slice(br#"{"Total":"18446744073709551615"}"#).unwrap();
        assert_eq!(resp.total, Some(u64::MAX.into()));
        assert!(Empty::from_json(&crate::Value::Null).unwrap().is_none());
        assert_eq!(<Req as crate::Action>::ACTION, "Describe");
    }

    #[test]
    fn setters_build_in_one_expression_and_accessors_read_short() {
        let r = Req::new()
            .set_type("a")
            .set_instance_id(1)
            .set_instance_id_2(2i8)
            .set_filters([Item::new().set_name(String::from("n")).set_next(Item::new())])
            .set_limit(10u64)
            .set_set_limit(3)
            .set_ratio(1.5f32)
            .set_ids(Vec::from([1i32, 2]))
            .set_default(true);
        assert_eq!(
            to_string(&r).unwrap(),
            r#"{"Type":"a","InstanceId":1,"InstanceID":2,"Filters":[{"Name":"n","Next":{}}],"Default":true,"SetLimit":3,"Limit":10,"Ratio":1.5,"Ids":[1,2]}"#
        );
        assert_eq!(r.r#type(), Some("a"));
        assert_eq!(
            (r.instance_id(), r.instance_id_2(), r.limit(), r.set_limit_value()),
            (Some(1), Some(2), Some(10), Some(3))
        );
        assert_eq!((r.default_value(), r.ratio()), (Some(true), Some(1.5)));
        assert_eq!(r.ids(), [1, 2]);
        let item = &r.filters()[0];
        assert_eq!((item.name(), item.next().and_then(Item::name), item.only()), (Some("n"), None, None));
        assert_eq!(Req::new(), Req::default());
        assert!(Req::new().filters().is_empty() && Req::new().r#type().is_none());
        let resp = Resp::new().set_total(5);
        assert_eq!(Item::new().set_only(resp.clone()).only().and_then(Resp::total), Some(5));
        assert_eq!(Empty::new(), Empty::default());
    }
}
