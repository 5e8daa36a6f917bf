// TerminalProgress: training progress for people. On a terminal, one bar per epoch redrawn in
// place (batches, images/s, running loss) at most 10 times a second; otherwise (CI, a pipe, a
// file) one plain line per epoch.
import Foundation
import Search
import Training

final class TerminalProgress: TrainingProgress {
    private let isTTY: Bool
    private let output: FileHandle
    private var lastDraw = Date.distantPast
    private var epoch = 0, epochs = 0
    private var bestSoFar: Double?

    init(output: FileHandle = .standardError) {
        self.output = output
        isTTY = isatty(output.fileDescriptor) == 1
    }

    private func write(_ s: String) { output.write(Data(s.utf8)) }

    func epochStarted(_ epoch: Int, of epochs: Int, batches: Int) {
        self.epoch = epoch
        self.epochs = epochs
        lastDraw = .distantPast
    }

    func batchFinished(_ batch: Int, of batches: Int, runningLoss: Double, examplesPerSecond: Double) {
        guard isTTY else { return }
        let now = Date()
        guard batch == batches || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let width = 30, filled = width * batch / max(batches, 1)
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        write(String(format: "\r\u{1B}[2Kepoch %d/%d %@ %d/%d  loss %.4f  %.0f img/s", epoch, epochs, bar, batch, batches, runningLoss, examplesPerSecond))
    }

    func epochFinished(_ m: EpochRecord, isBest: Bool) {
        if isTTY { write("\r\u{1B}[2K") }
        write(Self.line(m, of: epochs, isBest: isBest) + "\n")
    }

    static func line(_ m: EpochRecord, of epochs: Int, isBest: Bool) -> String {
        if m.validationAccuracy.isNaN, let rmse = m.metrics["val_rmse"] {
            // Regression: no accuracy; the error in the targets' units.
            return String(format: "epoch %3d/%d  train_loss %.4f  val_loss %.4f  val_rmse %.4g  val_mae %.4g  val_r2 %.4f  lr %.3g  %.1f s  %.0f ex/s%@",
                          m.epoch, epochs, m.trainLoss, m.validationLoss, rmse, m.metrics["val_mae"] ?? .nan, m.metrics["val_r2"] ?? .nan,
                          m.learningRate, m.seconds, m.examplesPerSecond, isBest ? "  *" : "")
        }
        return String(format: "epoch %3d/%d  train_loss %.4f  train_acc %.4f  val_loss %.4f  val_acc %.4f  lr %.3g  %.1f s  %.0f img/s%@",
                      m.epoch, epochs, m.trainLoss, m.trainAccuracy, m.validationLoss, m.validationAccuracy, m.learningRate,
                      m.seconds, m.examplesPerSecond, isBest ? "  *" : "")
    }
}
