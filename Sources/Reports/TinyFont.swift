// TinyFont: a 3×5 pixel bitmap font for the digits of labels drawn into PNG pictures (class
// indices, and numbers such as "-1.25e+03"): the pictures need no font files or text renderer.

enum TinyFont {
    static let glyphWidth = 3, glyphHeight = 5
    /// Blank columns between glyphs.
    static let spacing = 1

    /// Rows top to bottom, "#" = ink. Characters not listed draw as blanks.
    static let glyphs: [Character: [String]] = [
        "0": ["###", "#.#", "#.#", "#.#", "###"],
        "1": [".#.", "##.", ".#.", ".#.", "###"],
        "2": ["###", "..#", "###", "#..", "###"],
        "3": ["###", "..#", ".##", "..#", "###"],
        "4": ["#.#", "#.#", "###", "..#", "..#"],
        "5": ["###", "#..", "###", "..#", "###"],
        "6": ["###", "#..", "###", "#.#", "###"],
        "7": ["###", "..#", ".#.", ".#.", ".#."],
        "8": ["###", "#.#", "###", "#.#", "###"],
        "9": ["###", "#.#", "###", "..#", "###"],
        ".": ["...", "...", "...", "...", ".#."],
        "-": ["...", "...", "###", "...", "..."],
        "+": ["...", ".#.", "###", ".#.", "..."],
        "e": ["...", "###", "###", "#..", "###"],
        "?": ["###", "..#", ".##", "...", ".#."],
    ]

    /// Pixel width of `text` (no trailing spacing); 0 for "".
    static func width(_ text: String) -> Int {
        text.isEmpty ? 0 : text.count * (glyphWidth + spacing) - spacing
    }

    /// Draws `text` into a `width`-wide image of `channels` bytes per pixel with its top-left
    /// corner at (x, y), setting ink pixels to `ink`; pixels outside the image are skipped.
    static func draw(_ text: String, into pixels: inout [UInt8], width: Int, channels: Int = 1, x: Int, y: Int, ink: UInt8 = 0) {
        let height = pixels.count / max(width * channels, 1)
        for (i, ch) in text.enumerated() {
            guard let rows = glyphs[ch] else { continue }
            let gx = x + i * (glyphWidth + spacing)
            for (dy, row) in rows.enumerated() {
                for (dx, cell) in row.enumerated() where cell == "#" {
                    let px = gx + dx, py = y + dy
                    guard px >= 0, px < width, py >= 0, py < height else { continue }
                    for k in 0..<channels { pixels[(py * width + px) * channels + k] = ink }
                }
            }
        }
    }
}
