<#
Trackless one-command set-up for Windows (PowerShell 5.1 or 7).

    powershell -ExecutionPolicy Bypass -File install\install.ps1 [-Venv DIR] [-ExtensionId ID] [-NoXpi]
    powershell -ExecutionPolicy Bypass -File install\install.ps1 -Uninstall [-Venv DIR]

1. creates an isolated Python environment (default %LOCALAPPDATA%\trackless\venv,
   or $env:TRACKLESS_VENV, or -Venv DIR) with Python >= 3.11 ($env:PYTHON to choose one),
2. installs Trackless from this checkout into it,
3. registers the native-messaging host (manifest file + HKCU registry key) with `trackless install`,
4. builds the add-on (.xpi) with install\build_xpi.py when it is present,
5. checks the helper (`trackless install --check --no-addon`) and prints the steps left.

Running it again updates the installation in place. -Uninstall runs `trackless uninstall`
(manifest, registry key, wrapper) and deletes the environment; settings are kept.
Exit status: 0 ready, 1 a step failed.
#>
param(
    [string]$Venv = $(if ($env:TRACKLESS_VENV) { $env:TRACKLESS_VENV } else { Join-Path $env:LOCALAPPDATA "trackless\venv" }),
    [string]$ExtensionId = "",
    [switch]$NoXpi,
    [switch]$Uninstall
)

$ErrorActionPreference = "Stop"
$Repo = (Resolve-Path (Join-Path $PSScriptRoot "..")).Path

function Die([string]$Message) {
    Write-Host "install.ps1: $Message" -ForegroundColor Red
    exit 1
}

function Test-Python([string[]]$Command) {
    try {
        $exe = $Command[0]
        $rest = @($Command | Select-Object -Skip 1)
        & $exe @rest -c "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)" 2>$null | Out-Null
        return ($LASTEXITCODE -eq 0)
    } catch {
        return $false
    }
}

if ($Uninstall) {
    $Existing = Join-Path $Venv "Scripts\trackless.exe"
    if (Test-Path $Existing) {
        & $Existing uninstall
        if ($LASTEXITCODE -ne 0) { Die "'trackless uninstall' failed" }
    } else {
        Write-Host "install.ps1: no Trackless environment at $Venv (nothing registered by it to remove)"
    }
    if (Test-Path $Venv) {
        if (-not (Test-Path (Join-Path $Venv "pyvenv.cfg"))) { Die "$Venv does not look like a Python environment; not deleting it" }
        Remove-Item -Recurse -Force $Venv
        Write-Host "removed $Venv"
    }
    Write-Host "Trackless's helper is removed. Remove the add-on in Thunderbird (Tools > Add-ons and Themes)."
    exit 0
}

if (-not (Test-Path (Join-Path $Repo "pyproject.toml"))) { Die "run me from a Trackless checkout ($Repo has no pyproject.toml)" }

# -- 1. a Python >= 3.11 ------------------------------------------------------
$Candidates = @()
if ($env:PYTHON) { $Candidates += ,@($env:PYTHON) }
$Candidates += ,@("py", "-3.13")
$Candidates += ,@("py", "-3.12")
$Candidates += ,@("py", "-3.11")
$Candidates += ,@("python")
$Py = $null
foreach ($c in $Candidates) {
    if ((Get-Command $c[0] -ErrorAction SilentlyContinue) -and (Test-Python $c)) { $Py = $c; break }
}
if (-not $Py) { Die "Python 3.11 or newer is needed (install it from python.org, or set `$env:PYTHON)" }

# -- 2. the isolated environment ------------------------------------------------
$VenvPython = Join-Path $Venv "Scripts\python.exe"
$Trackless = Join-Path $Venv "Scripts\trackless.exe"
if ((Test-Path $VenvPython) -and (Test-Python @($VenvPython))) {
    Write-Host "== using the environment $Venv"
} else {
    Write-Host "== creating the environment $Venv"
    if (Test-Path $Venv) { Remove-Item -Recurse -Force $Venv }
    New-Item -ItemType Directory -Force -Path (Split-Path $Venv) | Out-Null
    $pyExe = $Py[0]
    $pyArgs = @($Py | Select-Object -Skip 1)
    & $pyExe @pyArgs -m venv $Venv
    if ($LASTEXITCODE -ne 0) { Die "could not create a virtual environment" }
}

Write-Host "== installing Trackless from $Repo"
& $VenvPython -m pip install --quiet --disable-pip-version-check --upgrade $Repo
if ($LASTEXITCODE -ne 0) { Die "pip could not install Trackless (see above)" }
& $VenvPython -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps $Repo
if ($LASTEXITCODE -ne 0) { Die "pip could not install Trackless (see above)" }

# -- 3. register the host -------------------------------------------------------------
Write-Host "== registering the helper with Thunderbird"
$IdArgs = @()
if ($ExtensionId) { $IdArgs = @("--extension-id", $ExtensionId) }
& $Trackless install @IdArgs
if ($LASTEXITCODE -ne 0) { Die "'trackless install' failed" }

# -- 4. the add-on -----------------------------------------------------------------------
$Xpi = ""
$BuildScript = Join-Path $Repo "install\build_xpi.py"
if (-not $NoXpi -and (Test-Path $BuildScript)) {
    Write-Host "== building the add-on"
    $Built = & $VenvPython $BuildScript
    if ($LASTEXITCODE -ne 0) { Die "building the add-on failed" }
    $Xpi = @($Built)[0]
    if (-not (Test-Path $Xpi)) { Die "build_xpi.py did not produce a file ($Xpi)" }
    Write-Host "built $Xpi"
}

# -- 5. check ------------------------------------------------------------------------------
Write-Host "== checking"
& $Trackless install --check --no-addon @IdArgs
if ($LASTEXITCODE -ne 0) { Die "the check failed (see above)" }

if (-not $Xpi) { $Xpi = "the .xpi built by install\build_xpi.py" }
Write-Host @"

Trackless's helper is installed and registered. Two steps are left, in Thunderbird:

  1. Install the add-on: menu Tools > Add-ons and Themes, the gear button,
     "Install Add-on From File...", and choose
       $Xpi
  2. Keep Thunderbird's remote content blocked (the default), then open a
     newsletter: the Trackless button shows how many trackers were removed.

Then '$Trackless install --check' checks the add-on too.
The 'trackless' command is $Trackless
To remove everything install.ps1 made: install\install.ps1 -Uninstall
"@
exit 0
