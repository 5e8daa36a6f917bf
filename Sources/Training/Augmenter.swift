// Augmenter: label-preserving transformations of training image batches (horizontal flips and
// shifts of up to two pixels), drawn from a seeded stream per (trial seed, epoch).
import TensorCore

struct Augmenter {
    let mode: Augmentation
    let height: Int, width: Int, channels: Int
    /// Fill value for pixels shifted in (the normalised background).
    let fill: Float
    static let maxShift = 2

    /// Transforms each row of `batch` [B, H·W·C] in place.
    func apply(_ batch: inout [Float], rows: Int, rng: inout RNG) {
        let size = height * width * channels
        var scratch = [Float](repeating: 0, count: size)
        for r in 0..<rows {
            let flip = mode.flips && rng.bernoulli(0.5)
            var dy = 0, dx = 0
            if mode.shifts {
                dy = rng.int(below: 2 * Self.maxShift + 1) - Self.maxShift
                dx = rng.int(below: 2 * Self.maxShift + 1) - Self.maxShift
            }
            if !flip && dx == 0 && dy == 0 { continue }
            batch.withUnsafeMutableBufferPointer { b in
                let row = b.baseAddress! + r * size
                for y in 0..<height {
                    let sy = y - dy
                    for x in 0..<width {
                        var sx = x - dx
                        if flip { sx = width - 1 - sx }
                        let dst = (y * width + x) * channels
                        if sy < 0 || sy >= height || sx < 0 || sx >= width {
                            for c in 0..<channels { scratch[dst + c] = fill }
                        } else {
                            let src = (sy * width + sx) * channels
                            for c in 0..<channels { scratch[dst + c] = row[src + c] }
                        }
                    }
                }
                scratch.withUnsafeBufferPointer { row.update(from: $0.baseAddress!, count: size) }
            }
        }
    }
}
