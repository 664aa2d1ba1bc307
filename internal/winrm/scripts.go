package winrm

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"strings"
	"unicode/utf16"
)

// PowerShellPrefix starts every command line the package sends; the base64 of the script's
// UTF-16LE text follows it.
const PowerShellPrefix = "powershell.exe -NoProfile -NonInteractive -EncodedCommand "

// MaxCommandLine is the longest command line cmd.exe accepts; WinRS runs commands through it.
const MaxCommandLine = 8191

// BootstrapScript is sent instead of a script whose command line would be longer than
// MaxCommandLine. It reads the real script from stdin as the base64 of its gzip-compressed
// UTF-8 text (stdin is closed after it) and runs it in the bootstrap's own scope, so the
// script's output, errors and exit code are the command's. Its variables are prefixed so a
// script does not meet them by accident.
const BootstrapScript = `$bootstrapPacked = [Convert]::FromBase64String([Console]::In.ReadToEnd())
$bootstrapBuffer = [IO.MemoryStream]::new($bootstrapPacked)
$bootstrapMode = [IO.Compression.CompressionMode]::Decompress
$bootstrapUnzip = [IO.Compression.GZipStream]::new($bootstrapBuffer, $bootstrapMode)
$bootstrapScript = [IO.StreamReader]::new($bootstrapUnzip, [Text.Encoding]::UTF8).ReadToEnd()
. ([ScriptBlock]::Create($bootstrapScript))
`

// CopyScript is the script CopyFile runs. Its stdin carries lines of base64: the first is
// the UTF-8 destination path, each further line a piece of the file's content, in order;
// stdin ends with the file. The script creates or truncates the file, writes the pieces and
// prints the SHA-256 of what is then on disk, as Get-FileHash does (upper-case hex). The
// parent directory must exist.
const CopyScript = `$ErrorActionPreference = 'Stop'
$in = [Console]::In
$path = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($in.ReadLine()))
$file = [IO.File]::Create($path)
try {
    while ($null -ne ($line = $in.ReadLine())) {
        $bytes = [Convert]::FromBase64String($line)
        $file.Write($bytes, 0, $bytes.Length)
    }
} finally {
    $file.Dispose()
}
(Get-FileHash -LiteralPath $path -Algorithm SHA256).Hash
`

// EncodeCommand returns the -EncodedCommand argument for script: base64 of UTF-16LE.
func EncodeCommand(script string) string {
	units := utf16.Encode([]rune(script))
	raw := make([]byte, 2*len(units))
	for i, u := range units {
		raw[2*i] = byte(u)
		raw[2*i+1] = byte(u >> 8)
	}
	return base64.StdEncoding.EncodeToString(raw)
}

// DecodeCommand reverses EncodeCommand.
func DecodeCommand(encoded string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
	if err != nil {
		return "", err
	}
	units := make([]uint16, len(raw)/2)
	for i := range units {
		units[i] = uint16(raw[2*i]) | uint16(raw[2*i+1])<<8
	}
	return string(utf16.Decode(units)), nil
}

// CommandLine returns the command line that runs script and, when that line would be too
// long for cmd.exe, the stdin that BootstrapScript expects (nil otherwise).
func CommandLine(script string) (line string, stdin []byte) {
	line = PowerShellPrefix + EncodeCommand(script)
	if len(line) <= MaxCommandLine {
		return line, nil
	}
	return PowerShellPrefix + EncodeCommand(BootstrapScript), PackScript(script)
}

// PackScript returns the stdin BootstrapScript expects for script.
func PackScript(script string) []byte {
	var zipped bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&zipped, gzip.BestCompression)
	_, _ = zw.Write([]byte(script))
	_ = zw.Close()
	packed := make([]byte, base64.StdEncoding.EncodedLen(zipped.Len()))
	base64.StdEncoding.Encode(packed, zipped.Bytes())
	return packed
}

// UnpackScript reverses PackScript; the simulated host uses it to run bootstrapped scripts.
func UnpackScript(packed []byte) (string, error) {
	zipped, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(packed)))
	if err != nil {
		return "", err
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		return "", err
	}
	var script bytes.Buffer
	if _, err := script.ReadFrom(zr); err != nil {
		return "", err
	}
	return script.String(), nil
}
