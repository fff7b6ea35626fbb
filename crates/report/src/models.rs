//! `models.json`: each link's trained model, written by a run and read back by `explain` to
//! score any pair as the run did, through the one type [`SavedModel`].

use std::path::Path;

use censuslink_linkage::Model;
use censuslink_reconcile::{Input, JobRun, LinkModel, RecordRef};
use serde::{Deserialize, Serialize};

/// One link's model as `models.json` holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedModel {
    /// The left source's name.
    pub left: String,
    /// The right source's name; `None` for the census with itself.
    pub right: Option<String>,
    /// Whether the link compares only the records the census lists where they live (its
    /// deduplication).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub residents: bool,
    /// The match probability a link needs.
    pub threshold: f64,
    /// The trained model.
    pub model: Model,
    /// The household pass's weight and the pairs it linked, as record keys.
    #[serde(default)]
    pub household: Option<SavedHousehold>,
}

/// The household pass of a saved model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedHousehold {
    /// The weight the household's evidence adds.
    pub weight: f64,
    /// The pairs it linked, left and right record keys.
    pub links: Vec<(String, String)>,
}

impl SavedModel {
    /// Every link's model of `run`, in the order the run made them.
    pub fn of_run(run: &JobRun) -> Vec<SavedModel> {
        SavedModel::of_links(&run.outcome.models, &run.inputs())
    }

    /// The models of `links`, whose sources index `inputs`.
    pub fn of_links(links: &[LinkModel], inputs: &[Input<'_>]) -> Vec<SavedModel> {
        let key = |source: usize, row: u32| RecordRef { source, row }.key(inputs).to_owned();
        links
            .iter()
            .map(|link| {
                let right = link.right.unwrap_or(link.left);
                SavedModel {
                    left: inputs[link.left].name.to_owned(),
                    right: link.right.map(|r| inputs[r].name.to_owned()),
                    residents: link.residents,
                    threshold: link.threshold,
                    model: link.model.clone(),
                    household: link.household.as_ref().map(|household| SavedHousehold {
                        weight: household.weight,
                        links: household
                            .pairs
                            .iter()
                            .map(|&(a, b)| (key(link.left, a), key(right, b)))
                            .collect(),
                    }),
                }
            })
            .collect()
    }

    /// The models of a run's `models.json` at `path`; `None` when it cannot be read as one.
    pub fn read_all(path: &Path) -> Option<Vec<SavedModel>> {
        serde_json::from_slice(&std::fs::read(path).ok()?).ok()
    }
}
