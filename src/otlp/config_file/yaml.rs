//! The YAML document as a tree whose every node knows its line, for messages that point at it.
//!
//! Built from `yaml_rust2`'s event parser rather than its `Yaml` loader, because the loader
//! drops the positions. Scalars are kept as written (text and whether they were plain): the
//! data model substitutes `${VAR}` references in scalar values *before* their type is decided,
//! so typing happens later, in [`Walk::scalar`](super::walk::Walk::scalar), not here.
//!
//! Anchors and aliases (`&name`, `*name`) and merge keys (`<<: *name`) are resolved here, the
//! configuration schema's own examples use them; the nodes and text an alias copies count
//! against [`MAX_NODES`] and [`MAX_TEXT_BYTES`], so a "billion laughs" file is refused rather
//! than expanded. A tag other than
//! `!!str` (which makes a plain scalar a string), a mapping used as a key, a key given twice,
//! and a second document in the stream are problems.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::TScalarStyle;

use super::FileProblem;

/// Most nodes one file may hold, aliases expanded: a real configuration has a few hundred.
pub(super) const MAX_NODES: usize = 100_000;
/// Most text (keys and scalars, in bytes) one file may hold, aliases expanded: four times
/// the largest file read, so that aliases cannot make a small file huge in memory.
pub(super) const MAX_TEXT_BYTES: usize = 4 << 20;
/// Deepest nesting of mappings and lists: the schema's is about ten. The bound also keeps
/// the recursive walks over the tree (copying an alias, dropping it) shallow.
pub(super) const MAX_DEPTH: usize = 64;

/// A node and the line (1-based) it starts on. A mapping or list that is the value of a key
/// carries the key's line, so "missing key" messages point at the key that holds it.
#[derive(Debug, Clone)]
pub(super) struct Node {
    pub(super) value: Value,
    pub(super) line: usize,
}

/// What a node holds.
#[derive(Debug, Clone)]
pub(super) enum Value {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// A scalar as written, before substitution and typing.
#[derive(Debug, Clone)]
pub(super) struct Scalar {
    /// The text, quotes and escapes already resolved by the YAML parser.
    pub(super) raw: String,
    /// Plain (unquoted, not a block, not tagged `!!str`): its type follows from its text.
    pub(super) plain: bool,
}

/// One key of a mapping, with the key's line.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) key: String,
    pub(super) line: usize,
    pub(super) node: Node,
}

impl Node {
    /// How many nodes this one holds, itself included, and how many bytes of text.
    fn size(&self) -> Size {
        match &self.value {
            Value::Scalar(scalar) => Size(1, scalar.raw.len()),
            Value::Seq(items) => items.iter().map(Node::size).fold(Size(1, 0), Size::add),
            Value::Map(entries) => {
                let entry = |e: &Entry| Size(1, e.key.len()).add(e.node.size());
                entries.iter().map(entry).fold(Size(1, 0), Size::add)
            }
        }
    }
}

/// A number of nodes and a number of bytes of text.
#[derive(Debug, Clone, Copy, Default)]
struct Size(usize, usize);

impl Size {
    fn add(self, other: Size) -> Size {
        Size(self.0 + other.0, self.1 + other.1)
    }
}

/// A mapping or list being read.
enum Frame {
    Seq {
        items: Vec<Node>,
        line: usize,
        anchor: usize,
    },
    Map {
        entries: Vec<Entry>,
        key: Option<(String, usize)>,
        line: usize,
        anchor: usize,
    },
}

/// Turns the parser's events into a tree.
#[derive(Default)]
struct Loader {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    size: Size,
    documents: usize,
    root: Option<Node>,
    problems: Vec<FileProblem>,
}

/// The document's root node, or `None` when it could not be read (the reason is in
/// `problems`). Problems that do not stop the reading (a duplicate key, an unsupported tag)
/// are added to `problems` too, and the tree is still returned.
pub(super) fn load(text: &str, problems: &mut Vec<FileProblem>) -> Option<Node> {
    let mut loader = Loader::default();
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) => break,
            Ok((event, mark)) => {
                if !loader.on_event(event, mark.line()) {
                    break;
                }
            }
            Err(error) => {
                let message = format!("not valid YAML: {}", error.info());
                loader.problem(error.marker().line(), message);
                loader.root = None;
                break;
            }
        }
    }
    problems.append(&mut loader.problems);
    loader.root
}

impl Loader {
    /// Handles one event; `false` stops the reading.
    fn on_event(&mut self, event: Event, line: usize) -> bool {
        match event {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    self.problem(line, "a second YAML document: the file must hold one");
                    return false;
                }
            }
            Event::Alias(id) => return self.alias(id, line),
            Event::Scalar(raw, style, anchor, tag) => {
                let string_tag = self.check_tag(tag.as_ref(), line, true);
                let plain = style == TScalarStyle::Plain && !string_tag;
                let node = Node {
                    value: Value::Scalar(Scalar { raw, plain }),
                    line,
                };
                let size = node.size();
                return self.finish_node(node, anchor, size);
            }
            Event::SequenceStart(anchor, tag) => {
                self.check_tag(tag.as_ref(), line, false);
                let items = Vec::new();
                return self.open(Frame::Seq {
                    items,
                    line,
                    anchor,
                });
            }
            Event::MappingStart(anchor, tag) => {
                self.check_tag(tag.as_ref(), line, false);
                let (entries, key) = (Vec::new(), None);
                return self.open(Frame::Map {
                    entries,
                    key,
                    line,
                    anchor,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => return self.close(),
            _ => {}
        }
        true
    }

    /// Whether `tag` is `!!str` on a scalar, which makes it a string; any other tag is
    /// refused (and the node typed as if it had none, so that one mistake is one problem).
    fn check_tag(&mut self, tag: Option<&Tag>, line: usize, scalar: bool) -> bool {
        let Some(tag) = tag else { return false };
        let core = tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!";
        let string = scalar && core && tag.suffix == "str";
        if !string {
            let message = format!(
                "the YAML tag {}{} is not supported (only !!str, on a scalar)",
                tag.handle, tag.suffix
            );
            self.problem(line, message);
        }
        string
    }

    /// Starts reading a mapping or list, unless that nests deeper than [`MAX_DEPTH`].
    fn open(&mut self, frame: Frame) -> bool {
        if self.stack.len() >= MAX_DEPTH {
            let line = match &frame {
                Frame::Seq { line, .. } | Frame::Map { line, .. } => *line,
            };
            self.problem(line, format!("nested more than {MAX_DEPTH} levels deep"));
            self.root = None;
            return false;
        }
        self.stack.push(frame);
        true
    }

    /// A copy of the anchored node, counted against [`MAX_NODES`] and [`MAX_TEXT_BYTES`].
    fn alias(&mut self, id: usize, line: usize) -> bool {
        let Some(node) = self.anchors.get(&id).cloned() else {
            self.problem(line, "an alias to an anchor that is not defined before it");
            return false;
        };
        let size = node.size();
        let node = Node {
            value: node.value,
            line,
        };
        self.finish_node(node, 0, size)
    }

    /// Pops the mapping or list that just ended and places it in its parent.
    fn close(&mut self) -> bool {
        let (node, anchor) = match self.stack.pop() {
            Some(Frame::Seq {
                items,
                line,
                anchor,
            }) => (
                Node {
                    value: Value::Seq(items),
                    line,
                },
                anchor,
            ),
            Some(Frame::Map {
                entries,
                line,
                anchor,
                ..
            }) => {
                let entries = self.merge(entries);
                let value = Value::Map(entries);
                (Node { value, line }, anchor)
            }
            None => return true,
        };
        self.finish_node(node, anchor, Size(1, 0))
    }

    /// Counts `node` (`added`: what it adds, its children being counted already unless it is
    /// an alias's copy), remembers it under its anchor, and places it in its parent.
    fn finish_node(&mut self, node: Node, anchor: usize, added: Size) -> bool {
        self.size = self.size.add(added);
        if self.size.0 > MAX_NODES || self.size.1 > MAX_TEXT_BYTES {
            let message = format!(
                "more than {MAX_NODES} nodes or {MAX_TEXT_BYTES} bytes of text (aliases expanded)"
            );
            self.problem(node.line, message);
            self.root = None;
            return false;
        }
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        self.place(node);
        true
    }

    /// Puts a finished node where it belongs: a list item, a key, a key's value, or the root.
    fn place(&mut self, mut node: Node) {
        let here = self.here();
        match self.stack.last_mut() {
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                Some((name, line)) => {
                    if !matches!(node.value, Value::Scalar(_)) {
                        node.line = line;
                    }
                    entries.push(Entry {
                        key: name,
                        line,
                        node,
                    });
                }
                None => match node.value {
                    Value::Scalar(scalar) => *key = Some((scalar.raw, node.line)),
                    _ => {
                        *key = Some((String::from("?"), node.line));
                        let message = "a key must be a name, not a mapping or a list";
                        self.problems.push(problem(&here, node.line, message));
                    }
                },
            },
            None => self.root = Some(node),
        }
    }

    /// Applies the merge keys (`<<`) of a mapping that just ended, and reports keys given
    /// twice. A key of the mapping itself beats a merged one; among merged mappings, the
    /// first listed wins.
    fn merge(&mut self, entries: Vec<Entry>) -> Vec<Entry> {
        let (merges, mut own): (Vec<Entry>, Vec<Entry>) =
            entries.into_iter().partition(|e| e.key == "<<");
        self.report_duplicates(&own);
        for merge in merges {
            let sources = match merge.node.value {
                Value::Map(map) => vec![map],
                Value::Seq(items) => items.into_iter().filter_map(as_map).collect(),
                Value::Scalar(_) => Vec::new(),
            };
            if sources.is_empty() {
                let message = "<< merges a mapping (or a list of mappings) into this one";
                self.problem(merge.line, message);
            }
            for entry in sources.into_iter().flatten() {
                if !own.iter().any(|e| e.key == entry.key) {
                    own.push(entry);
                }
            }
        }
        own
    }

    /// A problem for each key given twice in one mapping.
    fn report_duplicates(&mut self, entries: &[Entry]) {
        for (index, entry) in entries.iter().enumerate() {
            if let Some(first) = entries[..index].iter().find(|e| e.key == entry.key) {
                let path = join(&self.here(), &entry.key);
                let message = format!("the key is given twice (first on line {})", first.line);
                self.problems.push(problem(&path, entry.line, message));
            }
        }
    }

    /// The key path of the node being read, such as `meter_provider.readers[0]`.
    fn here(&self) -> String {
        let mut path = String::new();
        for frame in &self.stack {
            match frame {
                Frame::Seq { items, .. } => path.push_str(&format!("[{}]", items.len())),
                Frame::Map {
                    key: Some((key, _)),
                    ..
                } => path = join(&path, key),
                Frame::Map { .. } => {}
            }
        }
        path
    }

    fn problem(&mut self, line: usize, message: impl Into<String>) {
        let here = self.here();
        self.problems.push(problem(&here, line, message));
    }
}

/// The entries of a mapping node, `None` for anything else.
fn as_map(node: Node) -> Option<Vec<Entry>> {
    match node.value {
        Value::Map(entries) => Some(entries),
        _ => None,
    }
}

/// `parent.key`, or `key` at the top.
pub(super) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

fn problem(path: &str, line: usize, message: impl Into<String>) -> FileProblem {
    FileProblem {
        path: path.to_owned(),
        line,
        message: message.into(),
    }
}
