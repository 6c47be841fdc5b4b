; Inno Setup script for Rater on Windows. UNTESTED here (built by .github/workflows/package.yml
; on a Windows runner): iscc /DVersion=0.1.0 packaging\windows\rater.iss
; Installs the PyInstaller one-folder bundle (dist\rater) per user, with a Start menu entry and
; the .rater / .raterpack file associations.
#ifndef Version
  #define Version "0.0.0"
#endif

[Setup]
AppId={{6F0C7F2B-4C2E-4B8E-9A63-2E6B7A1C5D10}
AppName=Rater
AppVersion={#Version}
AppPublisher=Rater developers
DefaultDirName={autopf}\Rater
DefaultGroupName=Rater
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\..\dist
OutputBaseFilename=Rater-{#Version}-setup
Compression=lzma2
SolidCompression=yes
ChangesAssociations=yes
WizardStyle=modern
UninstallDisplayIcon={app}\rater.exe

[Files]
Source: "..\..\dist\rater\*"; DestDir: "{app}"; Flags: recursesubdirs createallsubdirs ignoreversion

[Icons]
Name: "{group}\Rater"; Filename: "{app}\rater.exe"
Name: "{userdesktop}\Rater"; Filename: "{app}\rater.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Registry]
Root: HKA; Subkey: "Software\Classes\.rater"; ValueType: string; ValueData: "Rater.Study"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\Rater.Study"; ValueType: string; ValueData: "Rater study"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Rater.Study\shell\open\command"; ValueType: string; ValueData: """{app}\rater.exe"" ""%1"""
Root: HKA; Subkey: "Software\Classes\.raterpack"; ValueType: string; ValueData: "Rater.Pack"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\Rater.Pack"; ValueType: string; ValueData: "Rater pack"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Rater.Pack\shell\open\command"; ValueType: string; ValueData: """{app}\rater.exe"" ""%1"""

[Run]
Filename: "{app}\rater.exe"; Description: "Open Rater"; Flags: nowait postinstall skipifsilent
