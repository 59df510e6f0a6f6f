"""The expression level of the query language: ``NOT``, ``OR`` and brackets -> units.

Input: the tokens of :mod:`indexer.searching.querylang` after its words are bound (atoms holding a
:class:`~indexer.searching.query.Unit`, brackets, ``OR``, ``NOT``). They are read by recursive
descent into a small tree, then flattened into what ranking reads: units that must all
match, some negated, with their ``OR`` alternatives. A bracketed AND that is an ``OR``
alternative or is negated as a whole stays one unit of kind ``group``. ``OR`` with a
negated side (``a OR -b``) is not a query the engine can answer by index look-ups, so it
is read as AND, with a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.searching.query import Unit


@dataclass
class _Expr:
    kind: str  # leaf | not | all | any
    unit: Unit | None = None
    children: list[_Expr] = field(default_factory=list)


def read(tokens, notes) -> list[Unit]:
    """The units of ``tokens``; ``notes`` (``add(line)``, ``truncated``) collects what was
    ignored."""
    return _conjuncts(_Expr("all", children=Reader(tokens, notes).sequence(0)), False, notes)


class Reader:
    """Recursive descent over the tokens: sequence := item*, item := unary (OR unary)*,
    unary := NOT* (atom | "(" sequence ")")."""

    def __init__(self, tokens: list, notes):
        self.tokens, self.notes, self.at = tokens, notes, 0

    def peek(self) -> str | None:
        return self.tokens[self.at].kind if self.at < len(self.tokens) else None

    def sequence(self, depth: int) -> list[_Expr]:
        items: list[_Expr] = []
        while (kind := self.peek()) is not None:
            if kind == "close":
                if depth:
                    return items
                if not self.notes.truncated:
                    self.notes.add("đã bỏ qua dấu “)” không có dấu “(” tương ứng")
                self.at += 1
            elif kind == "or":
                self.notes.add("đã bỏ qua OR thiếu từ ở một bên")
                self.at += 1
            else:
                expr = self.unary(depth)
                if expr is not None:
                    items.append(self.alternatives(expr, depth))
        return items

    def alternatives(self, expr: _Expr, depth: int) -> _Expr:
        options = [expr]
        while self.peek() == "or":
            self.at += 1
            while self.peek() == "or":
                self.at += 1
                self.notes.add("đã bỏ qua OR lặp lại")
            if self.peek() in (None, "close"):
                if not self.notes.truncated:
                    self.notes.add("đã bỏ qua OR thiếu từ ở một bên")
                break
            option = self.unary(depth)
            if option is not None:
                options.append(option)
        return options[0] if len(options) == 1 else _Expr("any", children=options)

    def unary(self, depth: int) -> _Expr | None:
        negations = 0
        while self.peek() == "not":
            negations += 1
            self.at += 1
        if self.peek() in (None, "close", "or"):
            if negations:
                self.notes.add("đã bỏ qua NOT không có từ theo sau")
            return None
        token = self.tokens[self.at]
        self.at += 1
        if token.kind == "open":
            inner = self.sequence(depth + 1)
            if self.peek() == "close":
                self.at += 1
            elif not self.notes.truncated:
                self.notes.add("thiếu dấu “)”: nhóm được coi là kết thúc ở cuối")
            if not inner:
                self.notes.add("đã bỏ qua cặp ngoặc rỗng")
                return None
            expr = _Expr("all", children=inner)
            negations += token.negated
        else:
            expr = _Expr("leaf", unit=token.unit)
            negations += token.unit.negated
            token.unit.negated = False
        return _Expr("not", children=[expr]) if negations % 2 else expr


def _conjuncts(expr: _Expr, negated: bool, notes) -> list[Unit]:
    """``expr`` as units that must all hold (negated units: must not)."""
    if expr.kind == "leaf":
        expr.unit.negated = negated
        return [expr.unit]
    if expr.kind == "not":
        return _conjuncts(expr.children[0], not negated, notes)
    sides = [_conjuncts(child, False, notes) for child in expr.children]
    if expr.kind == "all":
        return _all([u for side in sides for u in side], negated, notes)
    options = [_option(side, notes) for side in sides]
    if any(o is None or o.negated for o in options):
        notes.add("đã bỏ qua OR cạnh một từ bị loại trừ: các từ được tìm như khi không có OR")
        return _all([u for side in sides for u in side], negated, notes)
    unit = options[0]
    for option in options[1:]:
        unit.alternatives += [option, *option.alternatives]
        option.alternatives = []
    unit.negated = negated
    return [unit]


def _all(parts: list[Unit], negated: bool, notes) -> list[Unit]:
    """Units that must all hold, or, ``negated``, must not all hold together."""
    if not negated or not parts:
        return parts
    if len(parts) == 1:
        parts[0].negated = not parts[0].negated
        return parts
    return [Unit([], "group", negated=True, members=parts)] if _has_positive(parts, notes) else []


def _option(parts: list[Unit], notes) -> Unit | None:
    """One side of an ``OR`` as one unit (a group if it holds several)."""
    if len(parts) == 1:
        return parts[0]
    return Unit([], "group", members=parts) if parts and _has_positive(parts, notes) else None


def _has_positive(parts: list[Unit], notes) -> bool:
    if any(not p.negated for p in parts):
        return True
    notes.add("đã bỏ qua một nhóm chỉ có từ bị loại trừ")
    return False
