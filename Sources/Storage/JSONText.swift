// JSONText: JSON string literals written by hand where a whole JSONEncoder pass costs too much
// (the store's configuration column, the exports).
import Foundation

public enum JSONText {
    /// `text` as a JSON string literal, escaped as JSONEncoder escapes it (quotes, backslashes,
    /// \n \r \t \b \f, other control characters as \u00XX; slashes and non-ASCII text as they are).
    public static func string(_ text: String) -> String {
        var out = ""
        append(text, to: &out)
        return out
    }

    /// Appends `string(text)` to `out`.
    public static func append(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
