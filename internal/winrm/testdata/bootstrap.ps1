$bootstrapPacked = [Convert]::FromBase64String([Console]::In.ReadToEnd())
$bootstrapBuffer = [IO.MemoryStream]::new($bootstrapPacked)
$bootstrapMode = [IO.Compression.CompressionMode]::Decompress
$bootstrapUnzip = [IO.Compression.GZipStream]::new($bootstrapBuffer, $bootstrapMode)
$bootstrapScript = [IO.StreamReader]::new($bootstrapUnzip, [Text.Encoding]::UTF8).ReadToEnd()
. ([ScriptBlock]::Create($bootstrapScript))
