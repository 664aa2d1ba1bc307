$ErrorActionPreference = 'Stop'
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
