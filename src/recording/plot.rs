//! `--plot OUT.svg|OUT.png`: `next_event` percentiles and the event rate over time. Drawn as
//! SVG with `plotters`; a PNG is that SVG rasterised by `resvg`, with fonts found by `fontdb`.
//! All pure Rust: nothing links to fontconfig or freetype, and plotters keeps its default
//! (estimated) font metrics, which other plotters users in the same build (criterion) rely on.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use resvg::{tiny_skia, usvg};

use super::error::RecordingError;
use super::reader::Recording;
use super::window::{IntervalRow, Window};
use crate::telemetry::dump::HumanNs;

/// Names a TrueType font file for the PNG's text, used before the system's fonts.
pub const FONT_VARIABLE: &str = "WALREC_PLOT_FONT";

/// The plot's size in pixels.
const SIZE: (u32, u32) = (1200, 800);

/// The percentile lines: label, colour, and how to read them from a row.
type Series = (&'static str, RGBColor, fn(&IntervalRow) -> Option<f64>);
const PERCENTILE_SERIES: [Series; 4] = [
    ("p50", RGBColor(31, 119, 180), |r| r.p50_ns),
    ("p99", RGBColor(255, 127, 14), |r| r.p99_ns),
    ("p99.9", RGBColor(214, 39, 40), |r| r.p999_ns),
    ("max", RGBColor(90, 90, 90), |r| r.max_ns),
];

/// Draws the recording's intervals inside `window` to `path` (SVG or PNG by its extension).
pub fn write_plot(
    recording: &Recording,
    window: Window,
    path: &Path,
) -> Result<(), RecordingError> {
    let output = |what: String| RecordingError::Output {
        path: path.to_owned(),
        what,
    };
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let extension = extension.to_ascii_lowercase();
    if extension != "svg" && extension != "png" {
        return Err(output(
            "the plot's file name must end in .svg or .png".to_owned(),
        ));
    }
    let rows = recording.rows(window);
    let mut svg = String::new();
    draw(
        SVGBackend::with_string(&mut svg, SIZE).into_drawing_area(),
        recording,
        &rows,
    )
    .map_err(output)?;
    let bytes = if extension == "svg" {
        svg.into_bytes()
    } else {
        rasterise(&svg).map_err(output)?
    };
    std::fs::write(path, bytes).map_err(|e| output(e.to_string()))
}

/// The SVG as PNG bytes, its text in the first sans-serif font found.
fn rasterise(svg: &str) -> Result<Vec<u8>, String> {
    let mut options = usvg::Options::default();
    let fonts = options.fontdb_mut();
    let font = crate::telemetry::env_var::read(FONT_VARIABLE).map_err(|e| e.to_string())?;
    if let Some(file) = font {
        fonts
            .load_font_file(&file)
            .map_err(|e| format!("cannot load the font {FONT_VARIABLE} names: {e}"))?;
    }
    fonts.load_system_fonts();
    let family = fonts
        .faces()
        .flat_map(|face| face.families.iter().map(|(name, _)| name.clone()))
        .find(|name| name.contains("Sans") && !name.contains("Mono"))
        .or_else(|| {
            fonts
                .faces()
                .next()
                .and_then(|f| f.families.first())
                .map(|f| f.0.clone())
        })
        .ok_or_else(|| {
            format!(
                "no font for the PNG's text: install fonts-dejavu-core, set {FONT_VARIABLE} to \
                 a .ttf file, or write an .svg"
            )
        })?;
    fonts.set_sans_serif_family(family);
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| "the plot has no area".to_owned())?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| e.to_string())
}

fn draw<B: DrawingBackend>(
    area: DrawingArea<B, Shift>,
    recording: &Recording,
    rows: &[IntervalRow],
) -> Result<(), String> {
    let text = |e: DrawingAreaErrorKind<B::ErrorType>| e.to_string();
    area.fill(&WHITE).map_err(text)?;
    let (top, bottom) = area.split_vertically(SIZE.1 * 62 / 100);
    let seconds = rows
        .iter()
        .map(|r| r.end.as_secs_f64())
        .fold(1e-3, f64::max);
    let header = &recording.header;
    let caption = format!(
        "{}: next_event latency per interval (clock resolution {:.1} ns)",
        header.service_name,
        header.clock_resolution_ps as f64 / 1e3
    );
    draw_percentiles(&top, &caption, rows, seconds).map_err(text)?;
    draw_rate(&bottom, rows, seconds).map_err(text)?;
    area.present().map_err(text)
}

fn draw_percentiles<B: DrawingBackend>(
    area: &DrawingArea<B, Shift>,
    caption: &str,
    rows: &[IntervalRow],
    seconds: f64,
) -> Result<(), DrawingAreaErrorKind<B::ErrorType>> {
    let values = rows.iter().flat_map(|r| [r.p50_ns, r.max_ns]).flatten();
    let (low, high) = values.fold((f64::MAX, 1.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let low = if low == f64::MAX {
        1.0
    } else {
        (low / 2.0).max(0.5)
    };
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(80)
        .build_cartesian_2d(0f64..seconds, (low..high * 2.0).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("seconds since the recording started")
        .y_desc("next_event (log scale)")
        .y_label_formatter(&|v| HumanNs(*v).to_string())
        .draw()?;
    for (label, colour, read) in PERCENTILE_SERIES {
        let points = rows
            .iter()
            .filter_map(|r| read(r).map(|v| (r.end.as_secs_f64(), v.max(low))));
        chart
            .draw_series(LineSeries::new(points, colour.stroke_width(2)))?
            .label(label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
}

fn draw_rate<B: DrawingBackend>(
    area: &DrawingArea<B, Shift>,
    rows: &[IntervalRow],
    seconds: f64,
) -> Result<(), DrawingAreaErrorKind<B::ErrorType>> {
    let top = rows
        .iter()
        .map(|r| r.events_per_sec / 1e6)
        .fold(1e-3, f64::max);
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(80)
        .build_cartesian_2d(0f64..seconds, 0f64..top * 1.1)?;
    chart
        .configure_mesh()
        .x_desc("seconds since the recording started")
        .y_desc("events/s (millions)")
        .draw()?;
    let points = rows
        .iter()
        .map(|r| (r.end.as_secs_f64(), r.events_per_sec / 1e6));
    chart
        .draw_series(LineSeries::new(points, GREEN.stroke_width(2)))?
        .label("events/s")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], GREEN.stroke_width(2)));
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
}
