//! The macros the generated crates are written with: [`model!`](crate::model) declares a
//! model struct with its JSON impls, [`action!`](crate::action) ties a request to its
//! action. One line per field keeps the generated source small (all services: ~217,000
//! fields) and the impls uniform.

/// Declares a model struct: every field `Option<T>`, `Default`, `#[non_exhaustive]`, and
/// the JSON impls its direction needs.
///
/// `model! { DIR DEBUG; (docs) Name { (docs) "WireName" field: Type, ... } }` where `DIR`
/// is `write` (request side: [`ToJson`](crate::ToJson)), `read` (response side:
/// [`FromJson`](crate::FromJson)) or `both`; the other direction is compiled only with the
/// calling crate's `full-json` feature. `DEBUG` is `debug` (derived) or `nodebug` (the
/// caller writes a Debug impl that redacts secrets).
///
/// ```
/// tencentcloud_runtime::model! { write debug;
///     /// A filter.
///     Filter {
///         /// The field to filter on.
///         "Name" name: String,
///         "Values" values: Vec<String>,
///     }
/// }
/// let mut f = Filter::default();
/// f.name = Some("zone".into());
/// assert_eq!(tencentcloud_runtime::to_string(&f).unwrap(), r#"{"Name":"zone"}"#);
/// ```
#[macro_export]
macro_rules! model {
    ($dir:ident $dbg:ident; $(#[$sm:meta])* $name:ident {
        $( $(#[$fm:meta])* $wire:literal $id:ident : $ty:ty ),* $(,)?
    }) => {
        $crate::model!(@struct $dbg; $(#[$sm])* $name { $( $(#[$fm])* $id: $ty, )* });
        $crate::model!(@write $dir; $name { $( $wire $id )* });
        $crate::model!(@read $dir; $name { $( $wire $id )* });
    };
    (@struct debug; $(#[$sm:meta])* $name:ident { $( $(#[$fm:meta])* $id:ident : $ty:ty, )* }) => {
        $(#[$sm])*
        #[derive(Debug, Clone, Default, PartialEq)]
        #[non_exhaustive]
        pub struct $name { $( $(#[$fm])* pub $id: ::core::option::Option<$ty>, )* }
    };
    (@struct nodebug; $(#[$sm:meta])* $name:ident { $( $(#[$fm:meta])* $id:ident : $ty:ty, )* }) => {
        $(#[$sm])*
        #[derive(Clone, Default, PartialEq)]
        #[non_exhaustive]
        pub struct $name { $( $(#[$fm])* pub $id: ::core::option::Option<$ty>, )* }
    };
    (@write read; $($rest:tt)*) => {
        #[cfg(feature = "full-json")]
        $crate::model!(@write both; $($rest)*);
    };
    (@write $dir:ident; $name:ident { $( $wire:literal $id:ident )* }) => {
        impl $crate::ToJson for $name {
            fn to_json(&self, w: &mut $crate::Writer) {
                #[allow(unused_mut)]
                let mut o = $crate::ObjWriter::new(w);
                $( o.f($wire, &self.$id); )*
                o.end();
            }
        }
    };
    (@read write; $($rest:tt)*) => {
        #[cfg(feature = "full-json")]
        $crate::model!(@read both; $($rest)*);
    };
    (@read $dir:ident; $name:ident { $( $wire:literal $id:ident )* }) => {
        impl $crate::FromJson for $name {
            fn from_json(v: &$crate::Value<'_>) -> $crate::Read<Self> {
                let ::core::option::Option::Some(_o) = $crate::Obj::of(v)? else {
                    return ::core::result::Result::Ok(::core::option::Option::None);
                };
                ::core::result::Result::Ok(::core::option::Option::Some(Self { $( $id: _o.f($wire)?, )* }))
            }
        }
    };
}

/// Implements [`Action`](crate::Action) for a request type:
/// `action!("cvm", "2017-03-12", "DescribeInstances", DescribeInstancesRequest => DescribeInstancesResponse);`
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
}

#[cfg(test)]
mod tests {
    use crate::{FromJson, from_slice, to_string};
    use alloc::boxed::Box;
    use alloc::string::String;
    use alloc::vec::Vec;

    crate::model! { write debug;
        /// A request.
        Req {
            /// Keyword field.
            "Type" r#type: String,
            "InstanceId" instance_id: i64,
            "InstanceID" instance_id_2: i64,
            "Filters" filters: Vec<Item>,
        }
    }
    crate::model! { both debug; Item { "Name" name: String, "Next" next: Box<Item> } }
    crate::model! { read debug; Resp { "Total" total: i128 } }
    crate::model! { read debug; Empty {} }
    crate::action!("cvm", "2017-03-12", "Describe", Req => Resp);

    #[test]
    fn generated_models_round_trip() {
        let r = Req {
            r#type: Some("a".into()),
            instance_id: Some(1),
            instance_id_2: Some(2),
            filters: Some(alloc::vec![Item { name: Some("n".into()), next: Some(Box::new(Item::default())) }]),
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
}
