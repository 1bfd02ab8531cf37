//! A small OPATH subset for `-Filter`: `Prop -eq 'v'`, -ne, -like/-notlike (`*`, `?`), -gt/-ge/-lt/-le,
//! -and/-or/-not, parentheses, `$true`/`$false`/`$null`, numbers, single/double-quoted strings,
//! optional outer braces (`{Alias -eq 'x'}`). Comparisons are case-insensitive; on multi-valued
//! properties (EmailAddresses) a comparison holds when any value matches (a `smtp:` prefix is
//! optional on the compared text).

use crate::json::{Record, V};

#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Str(String),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    Eq,
    Ne,
    Like,
    NotLike,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Cmp { prop: String, op: Op, val: Lit },
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    Dash(String),
    Word(String),
    Quoted(String),
    Var(String),
}

pub struct FilterError {
    pub message: String,
}

fn syntax(filter: &str, pos: usize) -> FilterError {
    FilterError {
        message: format!(
            "Cannot bind parameter 'Filter' to the target. Exception setting \"Filter\": \"Invalid filter syntax. For a description of the filter parameter syntax see the command help.\r\n\"{}\" at position {}.\"",
            filter,
            pos + 1
        ),
    }
}

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, FilterError> {
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let mut out = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        let (pos, c) = chars[k];
        match c {
            c if c.is_whitespace() => k += 1,
            '(' | '{' => {
                out.push((Tok::LParen, pos));
                k += 1;
            }
            ')' | '}' => {
                out.push((Tok::RParen, pos));
                k += 1;
            }
            '\'' | '"' => {
                let q = c;
                let mut s = String::new();
                k += 1;
                loop {
                    if k >= chars.len() {
                        return Err(syntax(src, pos));
                    }
                    let ch = chars[k].1;
                    if ch == q {
                        if k + 1 < chars.len() && chars[k + 1].1 == q {
                            s.push(q);
                            k += 2;
                            continue;
                        }
                        k += 1;
                        break;
                    }
                    s.push(ch);
                    k += 1;
                }
                out.push((Tok::Quoted(s), pos));
            }
            '-' if k + 1 < chars.len() && chars[k + 1].1.is_ascii_alphabetic() => {
                let mut s = String::new();
                k += 1;
                while k < chars.len() && chars[k].1.is_ascii_alphabetic() {
                    s.push(chars[k].1.to_ascii_lowercase());
                    k += 1;
                }
                out.push((Tok::Dash(s), pos));
            }
            '$' => {
                let mut s = String::new();
                k += 1;
                while k < chars.len() && (chars[k].1.is_alphanumeric() || chars[k].1 == '_') {
                    s.push(chars[k].1.to_ascii_lowercase());
                    k += 1;
                }
                out.push((Tok::Var(s), pos));
            }
            c if c.is_alphanumeric()
                || c == '_'
                || c == '.'
                || c == '@'
                || c == '-'
                || c == '*' =>
            {
                let mut s = String::new();
                while k < chars.len() {
                    let ch = chars[k].1;
                    if ch.is_alphanumeric()
                        || matches!(ch, '_' | '.' | '@' | '-' | '*' | ':' | '\\')
                    {
                        s.push(ch);
                        k += 1;
                    } else {
                        break;
                    }
                }
                out.push((Tok::Word(s), pos));
            }
            _ => return Err(syntax(src, pos)),
        }
    }
    Ok(out)
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<(Tok, usize)>,
    k: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.k).map(|t| &t.0)
    }
    fn pos(&self) -> usize {
        self.toks.get(self.k).map(|t| t.1).unwrap_or(self.src.len())
    }
    fn err(&self) -> FilterError {
        syntax(self.src, self.pos())
    }
    fn or(&mut self) -> Result<Expr, FilterError> {
        let mut l = self.and()?;
        while matches!(self.peek(), Some(Tok::Dash(d)) if d == "or") {
            self.k += 1;
            let r = self.and()?;
            l = Expr::Or(Box::new(l), Box::new(r));
        }
        Ok(l)
    }
    fn and(&mut self) -> Result<Expr, FilterError> {
        let mut l = self.unary()?;
        while matches!(self.peek(), Some(Tok::Dash(d)) if d == "and") {
            self.k += 1;
            let r = self.unary()?;
            l = Expr::And(Box::new(l), Box::new(r));
        }
        Ok(l)
    }
    fn unary(&mut self) -> Result<Expr, FilterError> {
        match self.peek() {
            Some(Tok::Dash(d)) if d == "not" => {
                self.k += 1;
                Ok(Expr::Not(Box::new(self.unary()?)))
            }
            Some(Tok::LParen) => {
                self.k += 1;
                let e = self.or()?;
                if self.peek() != Some(&Tok::RParen) {
                    return Err(self.err());
                }
                self.k += 1;
                Ok(e)
            }
            Some(Tok::Word(_)) => self.cmp(),
            _ => Err(self.err()),
        }
    }
    fn cmp(&mut self) -> Result<Expr, FilterError> {
        let prop = match self.peek() {
            Some(Tok::Word(w)) if w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                w.clone()
            }
            _ => return Err(self.err()),
        };
        self.k += 1;
        let op = match self.peek() {
            Some(Tok::Dash(d)) => match d.as_str() {
                "eq" | "ieq" => Op::Eq,
                "ne" | "ine" => Op::Ne,
                "like" | "ilike" => Op::Like,
                "notlike" => Op::NotLike,
                "gt" => Op::Gt,
                "ge" => Op::Ge,
                "lt" => Op::Lt,
                "le" => Op::Le,
                _ => return Err(self.err()),
            },
            _ => return Err(self.err()),
        };
        self.k += 1;
        let val = match self.peek() {
            Some(Tok::Quoted(s)) => Lit::Str(s.clone()),
            Some(Tok::Word(w)) => Lit::Str(w.clone()),
            Some(Tok::Var(v)) => match v.as_str() {
                "true" => Lit::Bool(true),
                "false" => Lit::Bool(false),
                "null" => Lit::Null,
                _ => return Err(self.err()),
            },
            _ => return Err(self.err()),
        };
        self.k += 1;
        Ok(Expr::Cmp { prop, op, val })
    }
}

pub fn parse(src: &str) -> Result<Expr, FilterError> {
    let toks = lex(src)?;
    if toks.is_empty() {
        return Err(syntax(src, 0));
    }
    let mut p = Parser { src, toks, k: 0 };
    let e = p.or()?;
    if p.k != p.toks.len() {
        return Err(p.err());
    }
    Ok(e)
}

impl Expr {
    /// Checks every property exists on objects of this shape (`sample` holds the property names).
    pub fn check_props(&self, sample: &[&str]) -> Result<(), FilterError> {
        match self {
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.check_props(sample)?;
                b.check_props(sample)
            }
            Expr::Not(a) => a.check_props(sample),
            Expr::Cmp { prop, .. } => {
                if sample.iter().any(|p| p.eq_ignore_ascii_case(prop)) {
                    Ok(())
                } else {
                    Err(FilterError {
                        message: format!(
                            "Cannot bind parameter 'Filter' to the target. Exception setting \"Filter\": \"'{}' is not a recognized filterable property. For a description of the filter parameter syntax see the command help.\"",
                            prop
                        ),
                    })
                }
            }
        }
    }

    pub fn eval(&self, rec: &Record) -> bool {
        match self {
            Expr::And(a, b) => a.eval(rec) && b.eval(rec),
            Expr::Or(a, b) => a.eval(rec) || b.eval(rec),
            Expr::Not(a) => !a.eval(rec),
            Expr::Cmp { prop, op, val } => {
                let v = crate::json::get(rec, prop).unwrap_or(&V::Null);
                compare(v, *op, val)
            }
        }
    }
}

fn is_empty(v: &V) -> bool {
    match v {
        V::Null => true,
        V::S(s) => s.is_empty(),
        V::Str(s) => s.is_empty(),
        V::Arr(a) => a.is_empty(),
        _ => false,
    }
}

fn compare(v: &V, op: Op, lit: &Lit) -> bool {
    match lit {
        Lit::Null => match op {
            Op::Eq | Op::Like => is_empty(v),
            Op::Ne | Op::NotLike => !is_empty(v),
            _ => false,
        },
        Lit::Bool(b) => {
            let actual = match v {
                V::Bool(x) => Some(*x),
                other => match other.as_str() {
                    Some(s) if s.eq_ignore_ascii_case("true") => Some(true),
                    Some(s) if s.eq_ignore_ascii_case("false") => Some(false),
                    _ => None,
                },
            };
            match op {
                Op::Eq | Op::Like => actual == Some(*b),
                Op::Ne | Op::NotLike => actual != Some(*b),
                _ => false,
            }
        }
        Lit::Str(s) => {
            let items: Vec<String> = match v {
                V::Arr(a) => a.iter().map(|x| x.text()).collect(),
                V::Null => vec![],
                other => vec![other.text()],
            };
            let positive = |op: Op| items.iter().any(|it| scalar(it, op, s));
            match op {
                Op::Ne => !positive(Op::Eq),
                Op::NotLike => !positive(Op::Like),
                other => positive(other),
            }
        }
    }
}

fn scalar(item: &str, op: Op, lit: &str) -> bool {
    let stripped = match item.split_once(':') {
        Some((p, rest))
            if p.len() <= 4 && !p.is_empty() && p.chars().all(|c| c.is_ascii_alphabetic()) =>
        {
            Some(rest)
        }
        _ => None,
    };
    let test = |x: &str| -> bool {
        match op {
            Op::Eq => x.to_lowercase() == lit.to_lowercase(),
            Op::Like => wildcard(&lit.to_lowercase(), &x.to_lowercase()),
            Op::Gt | Op::Ge | Op::Lt | Op::Le => {
                let ord = match (x.parse::<f64>(), lit.parse::<f64>()) {
                    (Ok(a), Ok(b)) => a.partial_cmp(&b),
                    _ => Some(x.to_lowercase().cmp(&lit.to_lowercase())),
                };
                match (ord, op) {
                    (Some(o), Op::Gt) => o == std::cmp::Ordering::Greater,
                    (Some(o), Op::Ge) => o != std::cmp::Ordering::Less,
                    (Some(o), Op::Lt) => o == std::cmp::Ordering::Less,
                    (Some(o), Op::Le) => o != std::cmp::Ordering::Greater,
                    _ => false,
                }
            }
            _ => false,
        }
    };
    test(item) || stripped.map(test).unwrap_or(false)
}

/// `*` any run, `?` one char; both already lower-cased.
pub fn wildcard(pat: &str, s: &str) -> bool {
    let p: Vec<char> = pat.chars().collect();
    let t: Vec<char> = s.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let (mut star, mut mark) = (None::<usize>, 0usize);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(sp) = star {
            pi = sp + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec() -> Record {
        vec![
            ("Alias", V::S("adele.vance")),
            ("HiddenFromAddressListsEnabled", V::Bool(false)),
            (
                "EmailAddresses",
                V::Arr(vec![V::S("SMTP:adele@x.com"), V::S("smtp:a@y.com")]),
            ),
            ("ForwardingSmtpAddress", V::Null),
            ("ItemCount", V::Int(42)),
        ]
    }

    #[test]
    fn evaluates() {
        let r = rec();
        for (f, want) in [
            ("Alias -eq 'ADELE.VANCE'", true),
            ("Alias -ne 'adele.vance'", false),
            ("Alias -like 'adele*'", true),
            ("Alias -like '*vance'", true),
            ("Alias -notlike 'x*'", true),
            ("{Alias -eq 'adele.vance'}", true),
            ("HiddenFromAddressListsEnabled -eq $false", true),
            (
                "HiddenFromAddressListsEnabled -eq $true -or Alias -like 'a*'",
                true,
            ),
            (
                "(HiddenFromAddressListsEnabled -eq $true) -and (Alias -like 'a*')",
                false,
            ),
            ("-not (Alias -eq 'x')", true),
            ("EmailAddresses -eq 'a@y.com'", true),
            ("EmailAddresses -eq 'smtp:adele@x.com'", true),
            ("EmailAddresses -like '*@y.com'", true),
            ("ForwardingSmtpAddress -eq $null", true),
            ("ForwardingSmtpAddress -ne $null", false),
            ("ItemCount -gt 40", true),
            ("ItemCount -lt 40", false),
            ("Alias -eq \"adele.vance\"", true),
        ] {
            assert_eq!(parse(f).ok().unwrap().eval(&r), want, "{}", f);
        }
    }

    #[test]
    fn rejects() {
        for f in [
            "Alias -eq",
            "Alias 'x'",
            "(Alias -eq 'x'",
            "Alias -foo 'x'",
            "Alias -eq 'x' junk",
            "",
            "Alias -eq 'x",
        ] {
            assert!(parse(f).is_err(), "{}", f);
        }
        assert!(parse("Foo -eq 'x'")
            .ok()
            .unwrap()
            .check_props(&["Alias"])
            .is_err());
    }
}
