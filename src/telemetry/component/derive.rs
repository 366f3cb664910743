//! `component!`: a component's code derived from its catalogue lines (see the module docs).

/// Derives a component from its catalogue lines, by mode: `custom` derives nothing;
/// `snapshot (Snapshot, " Title", "Counts label")` derives `emit_into` and `dump_section` over
/// a hand-written snapshot's fields; `generated (Struct, Snapshot, " Title", "Counts label")`
/// derives both structs and everything else.
macro_rules! component {
    (custom ($($spec:tt)*) { $($lines:tt)* }) => {};

    (snapshot ($snap:ident, $title:literal, $counts:literal) {
        $( $variant:ident: $vis:vis $field:ident, $kind:ident, $label:literal, $description:literal; )*
    }) => {
        impl $snap {
            /// Hands every series to a collector, in catalogue order.
            pub(crate) fn emit_into<C: $crate::telemetry::Collector>(
                &self,
                emit: &mut $crate::telemetry::collect::Emitter<'_, '_, C>,
            ) -> Result<(), C::Error> {
                use $crate::telemetry::component::Series;
                $( <$crate::telemetry::component::kind!($kind, marker)>::emit(
                    $crate::telemetry::Metric::$variant, &self.$field, emit)?; )*
                Ok(())
            }

            /// Writes the component's dump section: `[<label><title> Metrics] Snapshot:`, a line
            /// per timed metric (and the histogram's percentiles), then one line of counts.
            pub(crate) fn dump_section(
                &self,
                label: &str,
                out: &mut impl std::io::Write,
            ) -> std::io::Result<()> {
                use $crate::telemetry::component::Series;
                use $crate::telemetry::dump::RULE;
                writeln!(out, "[{label}{} Metrics] Snapshot:", $title)?;
                writeln!(out, "{RULE}")?;
                $( <$crate::telemetry::component::kind!($kind, marker)>::dump_line(out, $label, &self.$field)?; )*
                let mut counts = $crate::telemetry::component::CountsLine::new($counts);
                $( if let Some(value) =
                    <$crate::telemetry::component::kind!($kind, marker)>::dump_count(&self.$field) {
                    counts.item(out, $label, value)?;
                } )*
                counts.finish(out)?;
                writeln!(out, "{RULE}")
            }
        }
    };

    (generated ($(#[$doc:meta])* $ty:ident, $snap:ident, $title:literal, $counts:literal) {
        $( $variant:ident: $vis:vis $field:ident, $kind:ident, $label:literal, $description:literal; )*
    }) => {
        $(#[$doc])*
        ///
        /// Every field starts on its own cache line (checked at compile time).
        #[repr(C, align(64))]
        pub struct $ty {
            $( #[doc = concat!($description, ".")]
            $vis $field: $crate::telemetry::component::kind!($kind, cell), )*
        }

        $crate::telemetry::cache_line::assert_cache_lines!($ty, $($field),*);

        impl $ty {
            /// Empty telemetry; `const`, so it can be a `static`.
            pub const fn new() -> Self {
                $ty { $( $field: <$crate::telemetry::component::kind!($kind, cell)>::new(), )* }
            }

            /// A plain copy of the telemetry.
            pub fn snapshot(&self) -> $snap {
                use $crate::telemetry::component::Stored;
                $snap { $( $field: <$crate::telemetry::component::kind!($kind, marker)>::snapshot(&self.$field), )* }
            }
        }

        impl Default for $ty {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_tuple(stringify!($ty)).field(&self.snapshot()).finish()
            }
        }

        #[doc = concat!("A plain copy of [`", stringify!($ty), "`] telemetry.")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $snap {
            $( #[doc = concat!($description, ".")]
            pub $field: $crate::telemetry::component::kind!($kind, snapshot), )*
        }

        impl $snap {
            /// How many series the component has.
            #[cfg(feature = "recording")]
            pub(crate) const SERIES: usize = [$(stringify!($field)),*].len();

            /// Adds `other`'s values, as if both had been recorded into one component, `other`
            /// later (two consecutive intervals): counts add up, levels are `other`'s.
            pub fn merge(&mut self, other: &$snap) {
                use $crate::telemetry::component::Stored;
                $( <$crate::telemetry::component::kind!($kind, marker)>::merge(&mut self.$field, &other.$field); )*
            }

            /// What was recorded after `base`, an earlier snapshot; levels are this snapshot's.
            pub fn since(&self, base: &$snap) -> $snap {
                use $crate::telemetry::component::Stored;
                $snap { $( $field: <$crate::telemetry::component::kind!($kind, marker)>::since(&self.$field, &base.$field), )* }
            }

            /// Every field with its metric, by kind (for the recording).
            #[cfg(feature = "recording")]
            pub(crate) fn series_mut(
                &mut self,
            ) -> [($crate::telemetry::Metric, $crate::telemetry::component::SeriesMut<'_>); Self::SERIES] {
                use $crate::telemetry::component::Stored;
                [$( ($crate::telemetry::Metric::$variant,
                    <$crate::telemetry::component::kind!($kind, marker)>::series_mut(&mut self.$field)), )*]
            }
        }

        $crate::telemetry::component::component! {
            snapshot ($snap, $title, $counts) {
                $( $variant: $vis $field, $kind, $label, $description; )*
            }
        }
    };
}

pub(crate) use component;
