//! Nothing here: the model checks are in `tests/`, over code included from walrec by path.
