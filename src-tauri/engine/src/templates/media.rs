//! A media header's example file: its type from its name, checked against the
//! header's kind before anything is uploaded.

use std::path::Path;

use cadence_core::template::MediaKind;

use crate::{Error, Result};

/// The MIME type Meta's Resumable Upload API takes for a header example of
/// `kind` stored at `path`, from the file's extension.
pub fn example_mime_type(kind: MediaKind, path: &Path) -> Result<&'static str> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let mime = match extension.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "mp4" => "video/mp4",
        "pdf" => "application/pdf",
        _ => {
            return Err(Error::InvalidField {
                field: "header example",
                reason: format!(
                    "{} is not a file Meta takes as an example: use a JPEG or PNG image, an MP4 video or a PDF document",
                    file_name(path)
                ),
            });
        }
    };
    let fits = match kind {
        MediaKind::Image => mime.starts_with("image/"),
        MediaKind::Video => mime == "video/mp4",
        MediaKind::Document => mime == "application/pdf",
    };
    if !fits {
        let wanted = match kind {
            MediaKind::Image => "a JPEG or PNG image",
            MediaKind::Video => "an MP4 video",
            MediaKind::Document => "a PDF document",
        };
        return Err(Error::InvalidField {
            field: "header example",
            reason: format!(
                "{} does not fit this header: it shows {wanted}",
                file_name(path)
            ),
        });
    }
    Ok(mime)
}

/// The file's name, for Meta's upload session and for messages.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_comes_from_the_extension_and_must_fit_the_header() {
        let cases: [(MediaKind, &str, Option<&str>); 7] = [
            (MediaKind::Image, "photo.JPG", Some("image/jpeg")),
            (MediaKind::Image, "photo.png", Some("image/png")),
            (MediaKind::Video, "clip.mp4", Some("video/mp4")),
            (MediaKind::Document, "menu.pdf", Some("application/pdf")),
            (MediaKind::Image, "menu.pdf", None),
            (MediaKind::Video, "photo.jpeg", None),
            (MediaKind::Image, "photo.webp", None),
        ];
        for (kind, name, expected) in cases {
            let got = example_mime_type(kind, Path::new(name)).ok();
            assert_eq!(
                got, expected,
                "{name} as a {kind:?} header example: Meta takes JPEG/PNG, MP4 and PDF, each for its own kind"
            );
        }
    }
}
