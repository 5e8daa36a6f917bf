// LayerExpressionParser: a layer argument's text → LayerExpression, by recursive descent, with
// errors at the column of the offending character.
//
//   value   := word | expr                      (a word is the whole value: same, valid, relu)
//   expr    := term (('+' | '-') term)*
//   term    := unary (('*' | '/') unary)*
//   unary   := '-' unary | primary
//   primary := number | '${' name '}' | '(' expr ')'
//   number  := digits ['.' digits] [('e' | 'E') ['+' | '-'] digits]   (also '.5')
//   word    := letter (letter | digit | '_')*
//
// Blanks between tokens are ignored; `*` and `/` bind tighter than `+` and `-`, all left to right.
import Foundation

struct LayerExpressionParser {
    private let scalars: [Unicode.Scalar]
    /// Where the first character of the text is written.
    private let origin: SourceLocation
    /// The argument, for messages: `'model.layers[0].dense.units'`.
    private let name: String
    private var i = 0

    /// Parses `text`, written at `origin`, as the value of the argument called `name` in messages.
    static func parse(_ text: String, at origin: SourceLocation, name: String) throws -> LayerExpression {
        var parser = LayerExpressionParser(scalars: Array(text.unicodeScalars), origin: origin, name: name)
        return try parser.value()
    }

    private init(scalars: [Unicode.Scalar], origin: SourceLocation, name: String) {
        self.scalars = scalars
        self.origin = origin
        self.name = name
    }

    private mutating func value() throws -> LayerExpression {
        skipBlanks()
        guard i < scalars.count else {
            throw error(at: 0, "\(name) is empty; give a number, a name or an expression such as ${channels} * 2")
        }
        let start = i
        if Self.isLetter(scalars[i]) {
            var j = i
            while j < scalars.count, Self.isWordCharacter(scalars[j]) { j += 1 }
            var k = j
            while k < scalars.count, scalars[k] == " " || scalars[k] == "\t" { k += 1 }
            if k == scalars.count { return .word(String(String.UnicodeScalarView(scalars[start..<j]))) }
        }
        let e = try expression()
        skipBlanks()
        guard i == scalars.count else {
            throw error(at: i, "unexpected '\(scalars[i])' in \(name) after \(e); expected an operator (+ - * /) "
                        + "or the end of the expression")
        }
        return e
    }

    private mutating func expression() throws -> LayerExpression {
        var e = try term()
        while let op = peekOperator(["+", "-"]) {
            let at = location(i)
            i += 1
            e = .binary(op, e, try term(), at)
        }
        return e
    }

    private mutating func term() throws -> LayerExpression {
        var e = try unary()
        while let op = peekOperator(["*", "/"]) {
            let at = location(i)
            i += 1
            e = .binary(op, e, try unary(), at)
        }
        return e
    }

    private mutating func unary() throws -> LayerExpression {
        skipBlanks()
        if i < scalars.count, scalars[i] == "-" {
            i += 1
            return .negate(try unary())
        }
        return try primary()
    }

    private mutating func primary() throws -> LayerExpression {
        skipBlanks()
        guard i < scalars.count else {
            throw error(at: i, "\(name) ends too early; expected a number, ${parameter} or '(' at the end")
        }
        let c = scalars[i]
        if c == "$" { return try parameter() }
        if c == "(" {
            let open = i
            i += 1
            let e = try expression()
            skipBlanks()
            guard i < scalars.count, scalars[i] == ")" else {
                throw error(at: i < scalars.count ? i : open,
                            "expected ')' in \(name) to close the '(' at column \(location(open).column)")
            }
            i += 1
            return e
        }
        if Self.isDigit(c) || c == "." { return try number() }
        if Self.isLetter(c) {
            var j = i
            while j < scalars.count, Self.isWordCharacter(scalars[j]) { j += 1 }
            let word = String(String.UnicodeScalarView(scalars[i..<j]))
            throw error(at: i, "'\(word)' in \(name) is neither a number nor a parameter; write a sampled parameter "
                        + "as ${\(word)}")
        }
        throw error(at: i, "unexpected '\(c)' in \(name); expected a number, ${parameter}, '(' or '-'")
    }

    private mutating func parameter() throws -> LayerExpression {
        let start = i
        guard i + 1 < scalars.count, scalars[i + 1] == "{" else {
            throw error(at: start, "'$' in \(name) must start a parameter reference such as ${channels}")
        }
        i += 2
        let nameStart = i
        while i < scalars.count, scalars[i] != "}" { i += 1 }
        guard i < scalars.count else {
            throw error(at: start, "the '${' in \(name) is not closed; end the parameter's name with '}'")
        }
        let parameter = String(String.UnicodeScalarView(scalars[nameStart..<i])).trimmingCharacters(in: .whitespaces)
        i += 1
        guard !parameter.isEmpty else {
            throw error(at: start, "'${}' in \(name) names no parameter; write the parameter's name inside, e.g. ${channels}")
        }
        return .parameter(parameter, location(start))
    }

    private mutating func number() throws -> LayerExpression {
        let start = i
        while i < scalars.count, Self.isDigit(scalars[i]) { i += 1 }
        if i < scalars.count, scalars[i] == "." {
            i += 1
            while i < scalars.count, Self.isDigit(scalars[i]) { i += 1 }
        }
        if i < scalars.count, scalars[i] == "e" || scalars[i] == "E" {
            var j = i + 1
            if j < scalars.count, scalars[j] == "+" || scalars[j] == "-" { j += 1 }
            if j < scalars.count, Self.isDigit(scalars[j]) {
                i = j
                while i < scalars.count, Self.isDigit(scalars[i]) { i += 1 }
            }
        }
        let text = String(String.UnicodeScalarView(scalars[start..<i]))
        guard let x = Double(text), x.isFinite else {
            throw error(at: start, "'\(text)' in \(name) is not a number")
        }
        return .number(x)
    }

    // MARK: Helpers

    private mutating func peekOperator(_ ops: [Unicode.Scalar]) -> LayerExpression.Operator? {
        skipBlanks()
        guard i < scalars.count, ops.contains(scalars[i]) else { return nil }
        return LayerExpression.Operator(rawValue: String(scalars[i]))
    }

    private mutating func skipBlanks() {
        while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" { i += 1 }
    }

    private func location(_ offset: Int) -> SourceLocation {
        SourceLocation(file: origin.file, line: origin.line, column: origin.column + offset)
    }

    private func error(at offset: Int, _ message: String) -> SweepSpecError {
        SweepSpecError(location: location(offset), message: message)
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
    private static func isLetter(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" }
    private static func isWordCharacter(_ c: Unicode.Scalar) -> Bool { isLetter(c) || isDigit(c) }
}
