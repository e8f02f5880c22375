// Package media holds what the media functions agree on: where uploads and renditions live.
package media

import (
	"path"
	"strings"
)

// UploadPrefix is where clients upload originals; the thumbnail function only reacts to it.
const UploadPrefix = "uploads/"

// ThumbnailKey is the key of an upload's thumbnail: same name, under thumbnails/.
func ThumbnailKey(uploadKey string) string {
	return "thumbnails/" + path.Base(strings.TrimPrefix(uploadKey, UploadPrefix)) + ".jpg"
}
