// ModelInsight: what the report shows about the sweep's models beyond their metrics: where the
// best trial and the ensemble fail on the validation split, and the best trial's first layer.
// Plain values the CLI gathers from the run directory, the data and the checkpoints; Reports
// reads no model, data or checkpoint file itself.

/// The report's model sections' inputs. Each part is optional: when it is nil its note (when
/// set) says why, and the page prints that note in the section's place.
public struct ModelInsight: Sendable {
    /// The validation split and the models' predictions on it ("Where the model fails").
    public var validation: ValidationView?
    /// Why `validation` is nil, as a sentence for the page (e.g. the data file has moved).
    public var validationNote: String?
    /// The best trial's first weight layer ("First layer"), for image data.
    public var firstLayer: FirstLayerView?
    /// Why `firstLayer` is nil, as a sentence; nil as well when the section does not apply
    /// (the data are not images), and then it is left out.
    public var firstLayerNote: String?

    public init(validation: ValidationView? = nil, validationNote: String? = nil,
                firstLayer: FirstLayerView? = nil, firstLayerNote: String? = nil) {
        self.validation = validation
        self.validationNote = validationNote
        self.firstLayer = firstLayer
        self.firstLayerNote = firstLayerNote
    }
}
