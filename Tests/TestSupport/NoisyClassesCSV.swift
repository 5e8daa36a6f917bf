// NoisyClassesCSV: a small, learnable (not trivially) classification table for end-to-end tests.
import Foundation

public enum NoisyClassesCSV {
    /// `rows` rows of `features` columns `f0…` and a `label` column `c0…c2` (row i has class i % 3):
    /// feature j of class c is ((c + j) mod 3)·`separation` plus uniform noise of width `noise`,
    /// from a fixed linear congruential stream seeded with `seed`.
    public static func text(rows: Int, features: Int, separation: Double, noise width: Double, seed: UInt64) -> String {
        var text = (0..<features).map { "f\($0)" }.joined(separator: ",") + ",label\n"
        var state = seed
        func noise() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        for i in 0..<rows {
            let c = i % 3
            text += (0..<features).map { j in String(format: "%.4f", Double((c + j) % 3) * separation + width * noise()) }.joined(separator: ",") + ",c\(c)\n"
        }
        return text
    }
}
