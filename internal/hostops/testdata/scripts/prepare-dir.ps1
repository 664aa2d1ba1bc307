# Create the folder for the join files, readable by Administrators and SYSTEM only: the config
# holds a join token. A transcript and result left by an earlier attempt are removed.
$ErrorActionPreference = 'Stop'
$dir = 'C:\ProgramData\aksee'
New-Item -ItemType Directory -Path $dir -Force | Out-Null
& icacls.exe $dir /inheritance:r /grant:r '*S-1-5-32-544:(OI)(CI)F' '*S-1-5-18:(OI)(CI)F' | Out-Null
if ($LASTEXITCODE -ne 0) {
    throw ('icacls.exe exited with ' + $LASTEXITCODE)
}
Remove-Item -Path 'C:\ProgramData\aksee\deploy.log', 'C:\ProgramData\aksee\deploy.result' -Force -ErrorAction SilentlyContinue
