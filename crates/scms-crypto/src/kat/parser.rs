//! Strict parser for the text format of CAMP's vector files.
//!
//! The files print each value as a hex line (`name = 0x…`, or a label line followed by `0x…`,
//! or a Python point `[0x…L], [0x…L]`), usually followed by the same value as a C array
//! (`name[N] = { 0x.., … }`, bytes, or `[le]` 32-bit words least-significant first). The parser
//! keeps every value in order, names it by its label and its array name, and checks that the two
//! representations agree and that arrays have their declared length; anything malformed is an
//! error, never skipped.

/// A parsed value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    /// Octets (points are `x ‖ y`, 64 bytes).
    Bytes(Vec<u8>),
    /// A decimal count (`dl = 16 octets`).
    Int(u64),
}

/// One value of a file.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Label text before `=`/`:` (e.g. `ss`, `x+1`, `LA1 ID (16 bits)`).
    pub label: String,
    /// C array name, if the value was also printed as an array.
    pub name: Option<String>,
    pub value: Value,
    /// 1-based line number.
    pub line: usize,
}

/// A section of a file: a test vector, an `i = N` period or a butterfly expansion part.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    pub title: String,
    pub entries: Vec<Entry>,
}

/// A parsed file: values before the first section header, then sections.
#[derive(Debug, Clone, Default)]
pub(crate) struct Parsed {
    pub globals: Vec<Entry>,
    pub sections: Vec<Section>,
}

impl Parsed {
    fn push(&mut self, e: Entry) -> usize {
        match self.sections.last_mut() {
            Some(s) => {
                s.entries.push(e);
                s.entries.len() - 1
            }
            None => {
                self.globals.push(e);
                self.globals.len() - 1
            }
        }
    }

    fn entry_mut(&mut self, idx: usize) -> Option<&mut Entry> {
        match self.sections.last_mut() {
            Some(s) => s.entries.get_mut(idx),
            None => self.globals.get_mut(idx),
        }
    }
}

fn hex(s: &str, line: usize) -> Result<Vec<u8>, String> {
    if !s.len().is_multiple_of(2) {
        return Err(format!("line {line}: odd-length hex '{s}'"));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            s.get(i..i + 2)
                .and_then(|d| u8::from_str_radix(d, 16).ok())
                .ok_or_else(|| format!("line {line}: invalid hex '{s}'"))
        })
        .collect()
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn strip_0x(s: &str) -> Option<&str> {
    s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))
}

fn label_of(t: &str) -> String {
    let mut end = t.len();
    for pat in [": ", " =", " :"] {
        if let Some(p) = t.find(pat) {
            end = end.min(p);
        }
    }
    t[..end].trim().trim_end_matches(':').trim().to_string()
}

/// A Python big integer `0x…L` left-padded to 32 bytes.
fn coord(s: &str, line: usize) -> Result<Vec<u8>, String> {
    let s = s.trim().trim_start_matches('[').trim_end_matches(']');
    let s = s.strip_suffix('L').unwrap_or(s);
    let h = strip_0x(s).ok_or_else(|| format!("line {line}: bad coordinate '{s}'"))?;
    if !is_hex(h) || h.len() > 64 {
        return Err(format!("line {line}: bad coordinate '{s}'"));
    }
    let padded = format!("{h:0>64}");
    hex(&padded, line)
}

/// Parses `{ 0x.., 0x.. }` token lists into bytes (2-digit tokens) or `[le]` words (8 digits).
fn array_bytes(body: &str, count: usize, le_words: bool, line: usize) -> Result<Vec<u8>, String> {
    let inner = body.trim().trim_start_matches('{').trim_end_matches('}');
    let tokens: Vec<&str> = inner
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    if tokens.len() != count {
        return Err(format!(
            "line {line}: array declares {count} elements, has {}",
            tokens.len()
        ));
    }
    let mut words = Vec::with_capacity(tokens.len());
    let mut width = None;
    for t in &tokens {
        let h = strip_0x(t)
            .filter(|h| is_hex(h))
            .ok_or_else(|| format!("line {line}: bad array element '{t}'"))?;
        if *width.get_or_insert(h.len()) != h.len() {
            return Err(format!("line {line}: mixed element widths"));
        }
        words.push(hex(h, line)?);
    }
    match width {
        Some(2) if !le_words => Ok(words.concat()),
        Some(8) if le_words => Ok(words.into_iter().rev().flatten().collect()),
        Some(8) => Ok(words.concat()),
        _ => Err(format!("line {line}: unexpected array element width")),
    }
}

/// Parses a whole file.
pub(crate) fn parse(text: &str) -> Result<Parsed, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Parsed::default();
    let mut pending_label: Option<String> = None;
    // Entry produced by the previous non-blank line (for array cross-checks).
    let mut prev_entry: Option<usize> = None;
    let mut n = 0;
    while n < lines.len() {
        let lineno = n + 1;
        let t = lines[n].trim();
        n += 1;
        if t.is_empty() {
            prev_entry = None;
            continue;
        }
        // Section headers.
        let header = if let Some(rest) = t.strip_prefix("Test Vector #") {
            rest.strip_suffix(':')
                .filter(|d| d.bytes().all(|b| b.is_ascii_digit()) && !d.is_empty())
                .map(|_| t.trim_end_matches(':').to_string())
        } else if let Some(d) = t.strip_prefix("i = ") {
            (d.bytes().all(|b| b.is_ascii_digit()) && !d.is_empty()).then(|| t.to_string())
        } else if t.starts_with("Expanding ") {
            Some(t.to_string())
        } else {
            None
        };
        if let Some(title) = header {
            out.sections.push(Section {
                title,
                entries: Vec::new(),
            });
            pending_label = None;
            prev_entry = None;
            continue;
        }
        if t.bytes().all(|b| b == b'=' || b == b'-') {
            continue;
        }
        let (le, body) = match t.strip_prefix("[le]") {
            Some(r) => (true, r.trim()),
            None => (false, t.strip_prefix("[be]").map(str::trim).unwrap_or(t)),
        };
        // C array `name[N] =` followed by `{ … }` over one or more lines.
        if let Some(decl) = body
            .strip_suffix('=')
            .map(str::trim)
            .filter(|d| d.ends_with(']'))
        {
            let open = decl
                .find('[')
                .ok_or_else(|| format!("line {lineno}: bad array declaration"))?;
            let name = decl[..open].trim().to_string();
            let count: usize = decl[open + 1..decl.len() - 1]
                .parse()
                .map_err(|_| format!("line {lineno}: bad array size"))?;
            let mut acc = String::new();
            loop {
                let l = lines
                    .get(n)
                    .ok_or_else(|| format!("line {lineno}: unterminated array"))?;
                n += 1;
                acc.push_str(l);
                if l.contains('}') {
                    break;
                }
            }
            let bytes = array_bytes(&acc, count, le, lineno)?;
            attach(&mut out, prev_entry, name, bytes, lineno)?;
            continue;
        }
        // `[le] A = {` point: two `{ 8 words }` lines then `}`.
        if let Some(name) = body
            .strip_suffix('{')
            .map(str::trim)
            .and_then(|d| d.strip_suffix('='))
        {
            let name = name.trim().to_string();
            let mut bytes = Vec::with_capacity(64);
            for _ in 0..2 {
                let l = lines
                    .get(n)
                    .ok_or_else(|| format!("line {lineno}: unterminated point array"))?;
                n += 1;
                bytes.extend(array_bytes(l, 8, le, lineno)?);
            }
            let close = lines.get(n).map(|l| l.trim());
            n += 1;
            if close != Some("}") {
                return Err(format!("line {lineno}: point array not closed"));
            }
            attach(&mut out, prev_entry, name, bytes, lineno)?;
            continue;
        }
        // Python point `[0x…L], [0x…L]`.
        if t.starts_with("[0x") {
            let (x, y) = t
                .split_once(',')
                .ok_or_else(|| format!("line {lineno}: bad point"))?;
            let mut bytes = coord(x, lineno)?;
            bytes.extend(coord(y, lineno)?);
            let label = pending_label
                .clone()
                .ok_or_else(|| format!("line {lineno}: point without label"))?;
            prev_entry = Some(out.push(Entry {
                label,
                name: None,
                value: Value::Bytes(bytes),
                line: lineno,
            }));
            continue;
        }
        // Bare hex line under a label line.
        if let Some(h) = strip_0x(t) {
            if !is_hex(h) {
                return Err(format!("line {lineno}: invalid hex line '{t}'"));
            }
            let label = pending_label
                .clone()
                .ok_or_else(|| format!("line {lineno}: value without label"))?;
            prev_entry = Some(out.push(Entry {
                label,
                name: None,
                value: Value::Bytes(hex(h, lineno)?),
                line: lineno,
            }));
            continue;
        }
        // `label = 0x…`, `label = ""`, `label = N octets`.
        if let Some((lhs, rhs)) = t.split_once(" = ") {
            let rhs = rhs.trim();
            let value = if let Some(h) = strip_0x(rhs) {
                if !is_hex(h) {
                    return Err(format!("line {lineno}: invalid hex value '{rhs}'"));
                }
                Some(Value::Bytes(hex(h, lineno)?))
            } else if rhs == "\"\"" {
                Some(Value::Bytes(Vec::new()))
            } else if let Some(d) = rhs.strip_suffix(" octets") {
                Some(Value::Int(
                    d.trim()
                        .parse()
                        .map_err(|_| format!("line {lineno}: bad count '{rhs}'"))?,
                ))
            } else {
                None
            };
            if let Some(value) = value {
                prev_entry = Some(out.push(Entry {
                    label: lhs.trim().to_string(),
                    name: None,
                    value,
                    line: lineno,
                }));
                continue;
            }
        }
        if t.contains("0x") {
            return Err(format!(
                "line {lineno}: unrecognised line with a value: '{t}'"
            ));
        }
        // Plain text: the label of a value on the next line.
        pending_label = Some(label_of(t));
        prev_entry = None;
    }
    Ok(out)
}

/// Attaches an array to the value printed just before it (checking they agree), or adds it.
fn attach(
    out: &mut Parsed,
    prev: Option<usize>,
    name: String,
    bytes: Vec<u8>,
    line: usize,
) -> Result<(), String> {
    match prev.and_then(|i| out.entry_mut(i)) {
        Some(e) => {
            if e.value != Value::Bytes(bytes) {
                return Err(format!(
                    "line {line}: array '{name}' disagrees with the value on line {}",
                    e.line
                ));
            }
            e.name = Some(name);
        }
        None => {
            out.push(Entry {
                label: name.clone(),
                name: Some(name),
                value: Value::Bytes(bytes),
                line,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_values_and_cross_checks() {
        let text = "Test Vector #1:\n---\nss = 0x0a0B\n ss[2] = \n{ 0x0A, 0x0B }\n\nlabel: text\n0x01\n\n[le] w[2] = \n{ 0x00000002, 0x00000001 }\n";
        let p = parse(text).unwrap();
        assert_eq!(p.sections.len(), 1);
        let e = &p.sections[0].entries;
        assert_eq!(e[0].label, "ss");
        assert_eq!(e[0].name.as_deref(), Some("ss"));
        assert_eq!(e[1].label, "label");
        assert_eq!(e[2].value, Value::Bytes(vec![0, 0, 0, 1, 0, 0, 0, 2]));
    }

    #[test]
    fn rejects_mismatch_and_bad_hex() {
        assert!(parse("x = 0x0a0b\n x[2] = \n{ 0x0A, 0x0C }\n").is_err());
        assert!(parse("x = 0x0a0b\n x[3] = \n{ 0x0A, 0x0B }\n").is_err());
        assert!(parse("x = 0x0g\n").is_err());
        assert!(parse("x = 0x0a0\n").is_err());
        assert!(parse("stray 0x12 value\n").is_err());
    }
}
