// NameSuggestion: "did you mean …?" for misspelt keys, names and values.

enum NameSuggestion {
    /// The candidate nearest to `name` when it is close enough to be a typo: edit distance ignoring
    /// case, a swap of neighbours counting once, at most max(1, min(3, length/3)). `aliases` maps
    /// names from other tools (lowercased) to ours and wins over distance.
    static func nearest(to name: String, among candidates: some Sequence<String>,
                        aliases: [String: String] = [:]) -> String? {
        if let alias = aliases[name.lowercased()] { return alias }
        let word = Array(name.lowercased())
        let best = candidates.sorted().map { ($0, distance(word, Array($0.lowercased()))) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= max(1, min(3, word.count / 3)) else { return nil }
        return best.0
    }

    /// `; did you mean 'x'? Then` or `; then`: a suggestion when one is close, followed by `then`
    /// (e.g. "expected a or b"), capitalised after the question mark.
    static func hint(_ name: String, among candidates: some Sequence<String>, aliases: [String: String] = [:],
                     then: String) -> String {
        guard let near = nearest(to: name, among: candidates, aliases: aliases) else { return "; " + then }
        return "; did you mean '\(near)'? " + then.prefix(1).uppercased() + then.dropFirst()
    }

    /// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions).
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
