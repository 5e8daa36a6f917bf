// EpochRecord: one epoch of one trial, from the trainer that produces it to the worker's report to
// rank 0 and the store that keeps it.

/// One epoch of one trial: the training averages and a full pass over the validation split.
public struct EpochRecord: Sendable, Equatable, Codable {
    /// The trial's index in the sweep (0 for a trainer run outside a sweep).
    public var trial: Int
    /// 1-based.
    public var epoch: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var validationLoss: Double
    public var validationAccuracy: Double
    /// The learning rate at the epoch's last step.
    public var learningRate: Double
    /// Wall time of the epoch, validation included.
    public var seconds: Double
    /// Training examples per second (validation excluded). The trainer's measure: not coded (the
    /// wire and the store do not carry it), 0 in a record read back from them.
    public var examplesPerSecond: Double = 0

    enum CodingKeys: String, CodingKey {
        case trial, epoch, trainLoss, trainAccuracy, validationLoss, validationAccuracy, learningRate, seconds
    }

    /// The value of the sweep metric (`val_accuracy`, else `val_loss`) at this epoch.
    public func value(of metric: MetricSpec) -> Double {
        metric.value(validationLoss: validationLoss, validationAccuracy: validationAccuracy)
    }

    public init(trial: Int, epoch: Int, trainLoss: Double, trainAccuracy: Double, validationLoss: Double,
                validationAccuracy: Double, learningRate: Double, seconds: Double, examplesPerSecond: Double = 0) {
        self.trial = trial
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.learningRate = learningRate
        self.seconds = seconds
        self.examplesPerSecond = examplesPerSecond
    }

    /// Decodes the coded fields; a missing `trial` (JSON written before records carried one,
    /// such as the epoch metrics in old training states) is 0.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(trial: try c.decodeIfPresent(Int.self, forKey: .trial) ?? 0, epoch: try c.decode(Int.self, forKey: .epoch),
                  trainLoss: try c.decode(Double.self, forKey: .trainLoss), trainAccuracy: try c.decode(Double.self, forKey: .trainAccuracy),
                  validationLoss: try c.decode(Double.self, forKey: .validationLoss),
                  validationAccuracy: try c.decode(Double.self, forKey: .validationAccuracy),
                  learningRate: try c.decode(Double.self, forKey: .learningRate), seconds: try c.decode(Double.self, forKey: .seconds))
    }
}

